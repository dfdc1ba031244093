import type { Release } from '../model/release.ts';
import { maskSecrets } from '../model/mask.ts';
import { rangesText, type PrunedRecord } from '../release/retention.ts';
import { ReleaseStore } from '../release/store.ts';
import { projectName, withStore, type CommonOptions } from './context.ts';
import { releaseDetail, releaseTable } from './release-format.ts';

export async function releasesCommand(flags: CommonOptions): Promise<number> {
  const project = await projectName(flags);
  const [list, pruned] = await withStore(flags, (kv, sealer) => {
    const store = new ReleaseStore(kv, sealer);
    return Promise.all([store.list(project), store.pruned(project)]);
  });
  if (flags.output === 'json') print(JSON.stringify(list.map(brief), null, 2) + '\n');
  else print((list.length === 0 ? `no releases for project ${project}\n` : releaseTable(list)) + prunedLine(pruned));
  return 0;
}

/** Said under the table: the history is bounded (historyLimit), so the numbering starts after a gap. */
function prunedLine(p: PrunedRecord): string {
  if (p.count === 0) return '';
  return `${p.count} older release(s) pruned (historyLimit): ${rangesText(p.gone)}\n`;
}

export async function releaseShowCommand(n: string, flags: CommonOptions): Promise<number> {
  const project = await projectName(flags);
  const release = await withStore(flags, (kv, sealer) => new ReleaseStore(kv, sealer).get(project, Number(n)));
  // Releases keep secret values (a rollback needs them); what is printed never shows them.
  const shown = maskSecrets(release);
  print(flags.output === 'json' ? JSON.stringify(shown, null, 2) + '\n' : releaseDetail(shown));
  return 0;
}

function brief(r: Release) {
  const { desired: _desired, operations: _operations, ...rest } = r;
  return rest;
}

function print(s: string): void {
  process.stdout.write(s);
}
