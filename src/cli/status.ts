import { projectStatus, type StatusReport } from '../session/status.ts';
import { summaryLine } from '../render/describe.ts';
import { pinnedText } from '../release/down-pin.ts';
import { sourceText } from '../release/binding.ts';
import { projectName, projectOverride, withSession, type CommonOptions } from './context.ts';
import { isAll, type StackFlags } from './stack-flags.ts';

/** `bosun status`: release in force, pin, last attempt, drift, and what git would change. */
export async function statusCommand(flags: CommonOptions & StackFlags): Promise<number> {
  if (isAll(flags)) return (await import('./stacks-inspect.ts')).statusAllCommand(flags);
  const project = await projectName(flags);
  const withGit = !(projectOverride(flags) && !flags.repo && !process.env.BOSUN_REPO);
  const report = await withSession(flags, {}, (session) => projectStatus(session, project, withGit));
  process.stdout.write(flags.output === 'json' ? JSON.stringify(report, null, 2) + '\n' : statusText(report));
  return 0;
}

function statusText(r: StatusReport): string {
  const lines = [`project ${r.project}`];
  if (!r.inForce) lines.push('  no release applied yet');
  else
    lines.push(
      `  in force:  release ${r.inForce.number} at ${r.inForce.revision.slice(0, 12)} (${r.inForce.trigger}, ${r.inForce.status})`,
    );
  lines.push(
    r.pin
      ? r.pin.down
        ? `  down:      ${pinnedText(r.pin)}`
        : `  pinned:    at release ${r.pin.release} by ${r.pin.by} since ${r.pin.at} — bosun resume to follow git again`
      : '  pinned:    no',
  );
  if (r.binding) lines.push(`  bound to:  ${sourceText(r.binding)} (since ${r.binding.since})`);
  if (r.latest && r.latest.number !== r.inForce?.number) {
    lines.push(
      `  latest:    release ${r.latest.number} ${r.latest.status}${r.latest.error ? `: ${r.latest.error.message}` : ''}`,
    );
  }
  if (r.drift) {
    const n = r.drift.operations.length;
    lines.push(
      n === 0 ? '  drift:     none' : `  drift:     ${n} operation(s) to return to the release in force`,
      ...r.drift.operations.map((o) => `    ${o}`),
      ...(r.drift.notes ?? []).map((n) => `  note:      ${n}`),
    );
  }
  if (r.git?.error) lines.push(`  git:       ${r.git.error.split('\n')[0]}`);
  else if (r.git) lines.push(`  git:       ${r.git.revision.slice(0, 12)}: ${summaryLine(r.git.pending)}`);
  return lines.join('\n') + '\n';
}
