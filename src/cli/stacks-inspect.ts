/**
 * `bosun validate --all` and `bosun status --all`: every stack of a cluster repo from one fetch,
 * looked at and never changed; one row per stack, exit code 1 when any stack is invalid.
 */
import { asBosunError, formatIssue } from '../errors.ts';
import { buildkitWarnings } from '../formats/dockerfile-buildkit.ts';
import { loadDesiredState } from '../formats/index.ts';
import { enforcePolicy } from '../policy/check.ts';
import { realHostPath } from '../policy/real-path.ts';
import { resolveSecrets } from '../secrets/resolve.ts';
import { type ClusterStack, clusterOf } from '../stacks/cluster.ts';
import { runInOrder } from '../stacks/schedule.ts';
import { stackStatus, type StackStatus } from '../stacks/status.ts';
import { fetchArtifact } from '../source/git.ts';
import { hostPolicy } from './policy.ts';
import { type CommonOptions, secretSources, sourceOptions, withSessions } from './context.ts';
import { checkAllFlags, stackConcurrency, type StackFlags } from './stack-flags.ts';
import { joinPath } from './stacks.ts';

interface Checked {
  path: string;
  project?: string;
  valid: boolean;
  services?: string[];
  /** BuildKit-only Dockerfile syntax (formats/dockerfile-buildkit.ts), as `file:line:col message` */
  warnings?: string[];
  error?: { code: string; message: string };
}

export async function validateAllCommand(flags: StackFlags & CommonOptions): Promise<number> {
  checkAllFlags(flags);
  const secrets = await secretSources(flags);
  const policy = hostPolicy(flags);
  const root = await fetchArtifact(sourceOptions(flags));
  const { stacks } = clusterOf(root, flags.stacks ?? []);
  const checked = await Promise.all(
    stacks.map(async (s): Promise<Checked> => {
      try {
        if (s.refused) throw s.refused;
        const loaded = loadDesiredState(s.artifact);
        enforcePolicy(loaded, policy, { origin: { repo: root.repo, path: s.artifact.path }, real: realHostPath });
        const desired = await resolveSecrets(loaded, secrets);
        return {
          path: s.path,
          project: desired.project.name,
          valid: true,
          services: desired.services.map((x) => x.name),
          warnings: buildkitWarnings(loaded, s.artifact).map(formatIssue),
        };
      } catch (err) {
        const e = asBosunError(err);
        return { path: s.path, project: s.project, valid: false, error: { code: e.code, message: e.message } };
      }
    }),
  );
  const invalid = checked.filter((c) => !c.valid).length;
  if (flags.output === 'json')
    process.stdout.write(
      `${JSON.stringify({ valid: invalid === 0, revision: root.revision, stacks: checked }, null, 2)}\n`,
    );
  else process.stdout.write(validText(root.revision, checked));
  return invalid > 0 ? 1 : 0;
}

function warningLines(c: Checked): string {
  return (c.warnings ?? []).map((w) => `\n  warning: ${w}`).join('');
}

function validText(revision: string, checked: Checked[]): string {
  const lines = checked.map((c) =>
    c.valid
      ? `valid:   ${c.path} (project ${c.project}): ${c.services!.length ? c.services!.join(', ') : 'no services'}${warningLines(c)}`
      : `invalid: ${c.path}${c.project ? ` (project ${c.project})` : ''}: ${c.error!.message.replace(/\n/g, '\n  ')}`,
  );
  const bad = checked.filter((c) => !c.valid).length;
  return `${lines.join('\n')}\n${checked.length} stack(s) at ${revision.slice(0, 12)}, ${bad} invalid\n`;
}

/** `bosun status --all`: per stack, the release in force, drift and what git at the ref would change. */
export async function statusAllCommand(flags: StackFlags & CommonOptions): Promise<number> {
  checkAllFlags(flags);
  const source = sourceOptions(flags);
  const root = await fetchArtifact({ ...source, verify: undefined });
  const { stacks } = clusterOf(root, flags.stacks ?? []);
  const rows = await withSessions(flags, async (make) => {
    const look = (s: ClusterStack) =>
      stackStatus(make({ source: { ...source, path: joinPath(source.path, s.path) }, projectOverride: undefined }), s);
    const byPath = new Map(stacks.map((s) => [s.path, s]));
    const settled = await runInOrder(
      stacks.map((s) => ({ path: s.path, dependsOn: [] })),
      stackConcurrency(flags),
      (p) => look(byPath.get(p)!),
    );
    return stacks.map((s) => {
      const r = settled.get(s.path)!;
      return r.status === 'done' ? r.value : failedRow(s, r.status === 'failed' ? r.error : r.reason);
    });
  });
  if (flags.output === 'json')
    process.stdout.write(`${JSON.stringify({ revision: root.revision, stacks: rows }, null, 2)}\n`);
  else process.stdout.write(statusTable(root.revision, rows));
  return 0;
}

function failedRow(s: ClusterStack, err: unknown): StackStatus {
  const e = asBosunError(err);
  return { path: s.path, project: s.project, sync: 'error', error: { code: e.code, message: e.message } };
}

function statusTable(revision: string, rows: StackStatus[]): string {
  const cells = rows.map((r) => [
    r.path,
    r.project ?? '-',
    r.sync,
    r.inForce ? `${r.inForce.number} @ ${r.inForce.revision.slice(0, 12)}` : '-',
    r.error ? r.error.message.split('\n').slice(0, 2).join(' ') : (r.detail ?? ''),
  ]);
  const head = ['STACK', 'PROJECT', 'SYNC', 'IN FORCE', 'DETAIL'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [`${rows.length} stack(s), git at ${revision.slice(0, 12)}`, line(head), ...cells.map(line), ''].join('\n');
}
