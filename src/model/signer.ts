/** Who signed a deployed commit, and which signing keys a host trusts (host policy `git.verify`). */

export interface Signer {
  type: 'openpgp' | 'ssh';
  /** OpenPGP: the primary key's fingerprint (hex); SSH: `SHA256:...` */
  fingerprint: string;
  /** the key's user id (OpenPGP) or allowed_signers principal / .pub comment (SSH) */
  identity?: string;
}

/** The keys read from the policy's files when it is loaded; verification is on when any is listed. */
export interface TrustedSigners {
  /** armored OpenPGP public keys */
  openpgp: { file: string; armored: string }[];
  /** SSH public keys (base64 blob, SHA256 fingerprint) */
  ssh: { file: string; blob: string; fingerprint: string; identity?: string }[];
}
