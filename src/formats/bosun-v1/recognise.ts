import type { Artifact } from '../../ports.ts';
import { isYamlFile } from './parse.ts';

/**
 * The key that makes a YAML document ours (parse.ts reads it; other apiVersions are other
 * tools' YAML), as a block or flow mapping key, quoted or not. A byte scan, not a parse: this
 * runs before every load, and a false positive only means bosun/v1 judges the repo.
 */
const CLAIM = /apiVersion["']?[ \t]*:[ \t]*["']?bosun\//;

export function recognisesBosunV1(artifact: Artifact): boolean {
  // unread, it may hold our documents, and only load can tell the user it is too large
  if ((artifact.skipped ?? []).some((f) => isYamlFile(f.path))) return true;
  for (const [rel, bytes] of artifact.files) {
    if (!isYamlFile(rel)) continue;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // latin1 maps every byte to one character: no decoding cost, and the claim is ASCII
    if (buf.includes('bosun/') && CLAIM.test(buf.toString('latin1'))) return true;
  }
  return false;
}
