import type { Artifact } from '../../ports.ts';
import { isYamlFile } from './parse.ts';

/**
 * The key that makes a YAML document ours (parse.ts reads it; other apiVersions are other
 * tools' YAML), as a block or flow mapping key, quoted or not. A byte scan, not a parse: this
 * runs before every load, and a false positive only means bosun/v1 judges the repo.
 */
const MARK = 'bosun/';
const CLAIM = /apiVersion["']?[ \t]*:[ \t]*["']?bosun\/$/;
/** room for the key, its quotes and the spaces around the colon, before the mark */
const LOOK_BACK = 40;

export function recognisesBosunV1(artifact: Artifact): boolean {
  // unread, it may hold our documents, and only load can tell the user it is too large
  if ((artifact.skipped ?? []).some((f) => isYamlFile(f.path))) return true;
  for (const [rel, bytes] of artifact.files) {
    if (isYamlFile(rel) && claims(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) return true;
  }
  return false;
}

/** Only the bytes just before each mark are decoded, so a large file costs one native search. */
function claims(buf: Buffer): boolean {
  for (let at = buf.indexOf(MARK); at >= 0; at = buf.indexOf(MARK, at + 1)) {
    const end = at + MARK.length;
    // latin1 maps each byte to one character: the claim is ASCII
    if (CLAIM.test(buf.toString('latin1', Math.max(0, end - LOOK_BACK), end))) return true;
  }
  return false;
}
