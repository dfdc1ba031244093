import { sourceText } from '../release/binding.ts';
import type { Release } from '../model/release.ts';

function changes(r: Release): string {
  const s = r.summary;
  return `+${s.create} ~${s.replace} -${s.remove} keys:${s.keysPut + s.keysDeleted}`;
}

function when(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}

/** One row per release, oldest first, like `git log --oneline` reversed. */
export function releaseTable(list: Release[]): string {
  const rows = list.map((r) => [
    String(r.number),
    r.status,
    r.trigger,
    r.revision.slice(0, 12),
    when(r.startedAt),
    changes(r),
    r.actor,
  ]);
  const head = ['#', 'STATUS', 'TRIGGER', 'REVISION', 'STARTED', 'CHANGES', 'ACTOR'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}

function bindingText(b: NonNullable<Release['binding']>): string {
  const to = sourceText(b.source);
  if (b.reason === 'takeover')
    return `taken over from ${sourceText(b.from!)} by ${to} (${b.via === 'policy' ? 'host policy' : '--take-over-project'})`;
  return `bound to ${to}${b.reason === 'upgrade' ? ' (it had releases from before bindings)' : ''}`;
}

export function releaseDetail(r: Release): string {
  const lines = [
    `release ${r.number} of ${r.project}: ${r.status}`,
    `  revision:  ${r.revision} (${r.ref} of ${r.repo})`,
    `  trigger:   ${r.trigger} by ${r.actor}`,
    `  started:   ${when(r.startedAt)}`,
    `  finished:  ${when(r.finishedAt)}`,
  ];
  if (r.error) lines.push(`  error:     [${r.error.code}] ${r.error.message}`);
  if (r.forcePush) {
    const { previousRelease, previousRevision } = r.forcePush;
    lines.push(
      `  forced:    yes: ${r.ref} was force-pushed; ${previousRevision.slice(0, 12)} (release ${previousRelease}) is not in this revision's history`,
    );
  }
  if (r.binding) lines.push(`  binding:   ${bindingText(r.binding)}`);
  if (r.signer)
    lines.push(
      `  signed:    ${r.signer.type} ${r.signer.fingerprint}${r.signer.identity ? ` (${r.signer.identity})` : ''}`,
    );
  lines.push('  services:');
  for (const s of r.desired.services) {
    const id = r.images[s.name] ? ` (${r.images[s.name].slice(0, 19)})` : '';
    lines.push(`    ${s.name}: ${s.image}${id} × ${s.replicas}`);
  }
  if (r.desired.configs.length) lines.push('  configs:');
  for (const c of r.desired.configs)
    lines.push(`    ${c.name}: ${c.prefix} (${Object.keys(c.data).length} key(s)${c.secret ? ', secret' : ''})`);
  lines.push('  operations:', ...r.operations.map((o) => `    ${o}`));
  return lines.join('\n') + '\n';
}
