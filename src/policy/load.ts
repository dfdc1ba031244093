/**
 * The policy file (`--policy FILE`, BOSUN_POLICY) → the policy in force: the file's keys over
 * the built-in default, its deny entries added to the built-in ones. A file that cannot be read
 * or is invalid is one error holding every problem at `file:line:col`, and nothing runs.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { BosunError, Codes, ManifestError, type ManifestIssue } from '../errors.ts';
import { parseMemory } from '../formats/units.ts';
import type { TrustedSigners } from '../model/signer.ts';
import { validatorsOf } from '../validators/index.ts';
import { sortedUnique } from '../model/sort.ts';
import { capabilityName } from './container-power.ts';
import { readSigningKeys, type VerifyPaths } from './signing-keys.ts';
import { defaultPolicy, type HostFacts, type HostPolicy, type PolicyInForce, type ProjectRule } from './defaults.ts';

/** Raw keys of a valid file. */
interface PolicyFile {
  hostPaths?: { allow?: string[]; deny?: string[] };
  images?: { allow?: string[] };
  configPrefixes?: { allow?: string[] };
  limits?: { maxReplicas?: number; maxMemory?: number | string };
  projects?: ProjectRule[];
  privileged?: boolean;
  hostNetwork?: boolean;
  capabilities?: { allow?: string[] };
  devices?: { allow?: string[] };
  git?: { refuseForcePush?: boolean; verify?: VerifyPaths };
  /** git.verify's key files, read (not a file key: filled in by parsePolicy) */
  trusted?: TrustedSigners;
}

/** The policy in force: the file over the default, or the default alone when no file is given. */
export function loadPolicy(file: string | undefined, facts: HostFacts = {}): PolicyInForce {
  const base = defaultPolicy(facts);
  if (file === undefined) return base;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BosunError(Codes.policyInvalid, `policy file ${file} cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return { ...mergePolicy(base, parsePolicy(file, text)), file };
}

/** A policy file's text → its keys, or one ManifestError (E_POLICY_INVALID) with every problem. */
export function parsePolicy(file: string, text: string): PolicyFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  const issues: ManifestIssue[] = [...doc.errors, ...doc.warnings].map((e) => ({
    file,
    ...at(e.pos[0]),
    path: '',
    message: e.message.split('\n')[0]!,
  }));
  const value: unknown = issues.length === 0 ? (doc.toJS() ?? {}) : undefined;
  const validate = validatorsOf('policy').Policy;
  if (issues.length === 0 && !validate(value))
    issues.push(...folded(validate.errors ?? []).map((e) => schemaIssue(file, doc, at, e)));
  const f = value as PolicyFile;
  if (issues.length === 0 && f.git?.verify) {
    const where = (kind: string, i: number) => {
      const node = nodeAt(doc, ['git', 'verify', kind, i], false);
      return {
        file,
        ...(isNode(node) && node.range ? at(node.range[0]) : { line: 1, col: 1 }),
        path: `git.verify.${kind}[${i}]`,
      };
    };
    f.trusted = readSigningKeys(f.git.verify, where, issues);
  }
  if (issues.length > 0) throw new ManifestError(issues, { code: Codes.policyInvalid, noun: 'policy file error' });
  return f;
}

/** An anyOf's own error stands for the failed branches under it: one line per problem. */
function folded(errors: ErrorObject[]): ErrorObject[] {
  const anyOf = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'anyOf' || !anyOf.has(e.instancePath));
}

/** One schema error at its node's position; `unknownKey` is what an extra key is told (the notify config shares it). */
export function schemaIssue(
  file: string,
  doc: Document.Parsed,
  at: (offset: number) => { line: number; col: number },
  e: ErrorObject,
  unknownKey = 'is not a policy key',
): ManifestIssue {
  const segments = e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map(pointerSegment);
  const extra = (e.params as { additionalProperty?: string }).additionalProperty;
  const path = extra === undefined ? segments : [...segments, extra];
  const node = nodeAt(doc, extra === undefined ? segments : path, extra !== undefined);
  const where = isNode(node) && node.range ? at(node.range[0]) : { line: 1, col: 1 };
  const custom = (e.parentSchema as { 'x-message'?: Record<string, string> } | undefined)?.['x-message']?.[e.keyword];
  const message = extra === undefined ? (custom ?? e.message ?? 'is invalid') : unknownKey;
  return { file, ...where, path: formatPath(path), message };
}

/** The node at the path (its key, for an unknown key), else the deepest one found. */
export function nodeAt(doc: Document.Parsed, path: (string | number)[], onKey: boolean): unknown {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const pairs = (node as { items?: { key?: unknown; value?: unknown }[] })?.items;
    const seg = path[i]!;
    const pair = Array.isArray(pairs)
      ? typeof seg === 'number'
        ? { value: pairs[seg] }
        : pairs.find((p) => (p.key as { value?: unknown })?.value === seg)
      : undefined;
    if (!pair) return node;
    node = onKey && i === path.length - 1 && 'key' in pair ? pair.key : (pair.value ?? node);
  }
  return node;
}

function pointerSegment(seg: string): string | number {
  const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^[0-9]+$/.test(key) ? Number(key) : key;
}

function formatPath(path: (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** The file's keys over the default; which rules the file set is kept for messages. */
export function mergePolicy(base: PolicyInForce, f: PolicyFile): PolicyInForce {
  const p: HostPolicy = structuredClone(base.policy);
  const fromFile: string[] = [];
  const set = (rule: string, given: unknown, apply: () => void) => {
    if (given === undefined) return;
    apply();
    fromFile.push(rule);
  };
  set('hostPaths.allow', f.hostPaths?.allow, () => (p.hostPaths.allow = f.hostPaths!.allow!));
  set('hostPaths.deny', f.hostPaths?.deny, () => {
    p.hostPaths.deny = [...new Set([...p.hostPaths.deny, ...f.hostPaths!.deny!])].sort();
  });
  set('images.allow', f.images?.allow, () => (p.images.allow = f.images!.allow!));
  set('configPrefixes.allow', f.configPrefixes?.allow, () => (p.configPrefixes.allow = f.configPrefixes!.allow!));
  set('limits.maxReplicas', f.limits?.maxReplicas, () => (p.limits.maxReplicas = f.limits!.maxReplicas));
  set('limits.maxMemory', f.limits?.maxMemory, () => (p.limits.maxMemoryBytes = parseMemory(f.limits!.maxMemory!)));
  // takeOver filled in: `bosun policy check` shows what each entry hands over
  set('projects', f.projects, () => (p.projects = f.projects!.map((r) => ({ ...r, takeOver: r.takeOver ?? false }))));
  set('privileged', f.privileged, () => (p.privileged = f.privileged!));
  set('hostNetwork', f.hostNetwork, () => (p.hostNetwork = f.hostNetwork!));
  set('capabilities.allow', f.capabilities?.allow, () => {
    p.capabilities.allow = sortedUnique(f.capabilities!.allow!.map(capabilityName));
  });
  set('devices.allow', f.devices?.allow, () => (p.devices.allow = f.devices!.allow!));
  set('git.refuseForcePush', f.git?.refuseForcePush, () => (p.git.refuseForcePush = f.git!.refuseForcePush!));
  set('git.verify', f.trusted, () => (p.git = { ...p.git, verify: f.trusted! }));
  return { ...base, policy: p, fromFile };
}
