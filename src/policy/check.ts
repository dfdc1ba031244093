/**
 * The host policy against a desired state: every violation at once, each located at the field
 * the user wrote (the format's `locations`), naming the rule and where the rule comes from.
 * Pure: `real` (symlink resolution on the host) is injected.
 */
import { Codes, type ManifestIssue, ManifestError } from '../errors.ts';
import { fieldKey, type DesiredState, type SourceLocation } from '../model/desired.ts';
import { compareStrings } from '../model/sort.ts';
import type { PolicyInForce } from './defaults.ts';
import { judgeContainerPower } from './container-power.ts';
import { matchesAny, qualifiedImage } from './glob.ts';
import { judgeHostPath } from './host-paths.ts';

/** Where the desired state came from, for the projects rule. */
export interface Origin {
  repo: string;
  /** the manifests folder in the repo; absent when unknown (a release records no path) */
  path?: string;
}

export interface CheckOptions {
  origin?: Origin;
  real?: (p: string) => string;
}

/** Throws a ManifestError (code E_POLICY_DENIED) holding every violation; returns when there is none. */
export function enforcePolicy(desired: DesiredState, inForce: PolicyInForce, opts: CheckOptions = {}): void {
  const issues = checkPolicy(desired, inForce, opts);
  if (issues.length > 0) throw new ManifestError(issues, { code: Codes.policyDenied, noun: 'host policy violation' });
}

export function checkPolicy(desired: DesiredState, inForce: PolicyInForce, opts: CheckOptions = {}): ManifestIssue[] {
  const at = locator(desired);
  const why = explain(inForce);
  return [
    ...projectIssues(desired, inForce, at, why, opts.origin),
    ...desired.services.flatMap((s) => serviceIssues(s, inForce, at, why, opts.real)),
    ...desired.configs.flatMap((c) => {
      const allow = inForce.policy.configPrefixes.allow;
      if (allow.some((p) => c.prefix.startsWith(withSlash(p)))) return [];
      const message = `key prefix ${c.prefix} is not allowed ${why('configPrefixes.allow')}`;
      return [at('Config', c.name, 'prefix', 'spec.prefix', message)];
    }),
  ].sort((a, b) => compareStrings(a.file, b.file) || a.line - b.line || a.col - b.col);
}

type Locate = (kind: string, name: string, field: string, fallbackPath: string, message: string) => ManifestIssue;
type Explain = (rule: string, builtIn?: boolean) => string;

function serviceIssues(
  s: DesiredState['services'][number],
  inForce: PolicyInForce,
  at: Locate,
  why: Explain,
  real?: (p: string) => string,
): ManifestIssue[] {
  const { policy } = inForce;
  const out: ManifestIssue[] = [];
  const add = (field: string, path: string, message: string) => out.push(at('Service', s.name, field, path, message));
  if (!matchesAny(s.image, policy.images.allow) && !matchesAny(qualifiedImage(s.image), policy.images.allow))
    add('image', 'spec.image', `image ${s.image} is not allowed ${why('images.allow')}`);
  const { maxReplicas, maxMemoryBytes } = policy.limits;
  if (maxReplicas !== undefined && s.replicas > maxReplicas)
    add(
      'replicas',
      'spec.replicas',
      `${s.replicas} replicas are more than ${maxReplicas}, the most allowed ${why('limits.maxReplicas')}`,
    );
  if (maxMemoryBytes !== undefined) {
    const mem = s.resources.memoryBytes;
    if (mem === undefined)
      add('memory', 'spec.resources.memory', `a memory limit is required ${why('limits.maxMemory')}`);
    else if (mem > maxMemoryBytes)
      add(
        'memory',
        'spec.resources.memory',
        `${mem} bytes are more than ${maxMemoryBytes}, the most allowed ${why('limits.maxMemory')}`,
      );
  }
  for (const m of s.volumes) {
    if (m.hostPath === undefined) continue;
    const d = judgeHostPath(m.hostPath, policy.hostPaths, real);
    if (d.allowed) continue;
    const path = `spec.volumes[target=${m.target}].hostPath`;
    const message =
      d.rule === 'hostPaths.allow'
        ? `host path ${m.hostPath} is not allowed ${why(d.rule)}`
        : `host path ${m.hostPath}${denial(m.hostPath, d)} is not allowed ${why(d.rule, inForce.builtInDeny.includes(d.denied))}`;
    add(`mount:${m.target}`, path, message);
  }
  for (const f of judgeContainerPower(s, policy, real))
    add(f.field, f.path, `${f.message} is not allowed ${why(f.rule)}`);
  return out;
}

/** ` (contains /var/lib/docker)` or ` (= /run/docker.sock)` when the denied path is not the one written. */
function denial(written: string, d: { denied: string; contains: boolean }): string {
  if (d.contains) return ` (it contains ${d.denied})`;
  return d.denied === written ? '' : ` (${d.denied})`;
}

function projectIssues(desired: DesiredState, inForce: PolicyInForce, at: Locate, why: Explain, origin?: Origin) {
  const rules = inForce.policy.projects;
  const name = desired.project.name;
  if (!rules || !origin) return [];
  const fits = rules.some(
    (r) =>
      matchesAny(origin.repo, [r.repo]) &&
      (r.path === undefined || origin.path === undefined || matchesAny(origin.path, [r.path])) &&
      matchesAny(name, r.names),
  );
  if (fits) return [];
  const from = `${origin.repo}${origin.path ? ` (path ${origin.path})` : ''}`;
  return [
    at('Project', name, 'name', 'metadata.name', `project ${name} from ${from} is not allowed ${why('projects')}`),
  ];
}

/** The field's location, else its document's, else the repo root (e.g. a release recorded before fields were). */
function locator(desired: DesiredState): Locate {
  return (kind, name, field, fallbackPath, message) => {
    const exact = desired.locations[fieldKey(kind, name, field)];
    const doc: SourceLocation = exact ?? desired.locations[`${kind}/${name}`] ?? { file: '<root>', line: 1, col: 1 };
    const path = exact?.path ?? (desired.locations[`${kind}/${name}`] ? fallbackPath : '');
    return { file: doc.file, line: doc.line, col: doc.col, path, message };
  };
}

/** `by the host policy (built-in default: hostPaths.deny); allow it in --policy FILE`, or the file's name. */
function explain(inForce: PolicyInForce): Explain {
  return (rule, builtIn) => {
    const fromBuiltIn = builtIn ?? !inForce.fromFile.includes(rule);
    if (fromBuiltIn || !inForce.file)
      return `by the host policy (built-in default: ${rule}); allow it in --policy FILE`;
    return `by the host policy (${inForce.file}: ${rule})`;
  };
}

function withSlash(p: string): string {
  return p.endsWith('/') ? p : `${p}/`;
}
