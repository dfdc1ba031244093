/**
 * Config values that never enter git in clear: armored age blocks in `spec.data`, and
 * `spec.dataFrom` entries (an age file in the repo, a controller variable, a controller file).
 * Here they are only parsed and located — armor decoded, repo files read from the artifact —
 * so a broken block is a load error; src/secrets/resolve.ts decrypts and reads the host later.
 * The decoder is loaded before, where the artifact's files are read (src/secrets/armor.ts).
 */
import type { ManifestIssue } from '../../errors.ts';
import type { SealedSource, SealedValue } from '../../model/desired.ts';
import type { Artifact } from '../../ports.ts';
import { armorDecoder, looksArmored, looksBinaryAge } from '../../secrets/armor.ts';
import { formatPath, issueAt, positionOf } from './locate.ts';
import { specOf, type RawValueSource } from './raw.ts';
import type { Manifest, Segment, Valid } from './types.ts';
import { validOfKind } from './types.ts';

export type SealedByConfig = Map<Manifest, Record<string, SealedValue>>;

const DECRYPT = 'cannot decrypt age value';

/** Every Config's sealed values, and the issues of those that cannot even be parsed. */
export function sealConfigs(
  manifests: Manifest[],
  artifact: Artifact,
): { sealed: SealedByConfig; issues: ManifestIssue[] } {
  const sealed: SealedByConfig = new Map();
  const issues: ManifestIssue[] = [];
  for (const m of validOfKind(manifests, 'Config')) {
    const values: Record<string, SealedValue> = {};
    const seal = (key: string, at: Segment[], from: SealedSource | ManifestIssue) => {
      if ('message' in from) issues.push(from);
      else values[key] = { from, at: { file: m.src.file, ...positionOf(m.src, at), path: formatPath(at) } };
    };
    const spec = specOf(m);
    for (const [key, value] of Object.entries(spec.data ?? {})) {
      if (typeof value !== 'string' || !looksArmored(value)) continue;
      const at = ['spec', 'data', key];
      seal(key, at, armored(m, at, value));
    }
    for (const [key, source] of Object.entries(spec.dataFrom ?? {})) {
      const at = ['spec', 'dataFrom', key];
      if (spec.data && Object.hasOwn(spec.data, key)) issues.push(issueAt(m.src, at, 'is also set in spec.data'));
      else seal(key, at, fromSource(m, at, source, artifact));
    }
    if (Object.keys(values).length > 0) sealed.set(m, values);
  }
  return { sealed, issues };
}

function armored(m: Valid<'Config'>, at: Segment[], text: string): SealedSource | ManifestIssue {
  const decode = armorDecoder();
  try {
    return { age: Buffer.from(decode(text)).toString('base64') };
  } catch (err) {
    return issueAt(m.src, at, `${DECRYPT}: ${(err as Error).message}`);
  }
}

function fromSource(
  m: Valid<'Config'>,
  at: Segment[],
  source: RawValueSource,
  artifact: Artifact,
): SealedSource | ManifestIssue {
  if (source.env !== undefined) return { env: source.env };
  if (source.file !== undefined) return { file: source.file };
  return ageFile(m, [...at, 'ageFile'], source.ageFile!, artifact);
}

/** A repo file next to the manifest (or below it), armored or binary. */
function ageFile(m: Valid<'Config'>, at: Segment[], ref: string, artifact: Artifact): SealedSource | ManifestIssue {
  const rel = joinRel(m.src.rel, ref);
  if (rel === undefined) return issueAt(m.src, at, `"${ref}" is outside the manifests folder`);
  const skipped = artifact.skipped?.find((f) => f.path === rel);
  if (skipped) return issueAt(m.src, at, `"${ref}" is too large (${skipped.bytes} bytes)`);
  const bytes = artifact.files.get(rel);
  if (bytes === undefined) return issueAt(m.src, at, `no file "${ref}" next to this manifest`);
  if (looksBinaryAge(bytes)) return { age: Buffer.from(bytes).toString('base64') };
  const text = Buffer.from(bytes).toString('utf8');
  if (looksArmored(text)) return armored(m, at, text);
  return issueAt(m.src, at, `"${ref}" is not an age-encrypted file (encrypt it with bosun secret encrypt or age)`);
}

/** `ref` relative to the folder of `manifest`; undefined when it climbs out of the artifact. */
function joinRel(manifest: string, ref: string): string | undefined {
  const out = manifest.split('/').slice(0, -1);
  for (const seg of ref.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg !== '..') out.push(seg);
    else if (out.pop() === undefined) return undefined;
  }
  return out.join('/');
}
