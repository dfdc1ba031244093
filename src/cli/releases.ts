import type { Release } from '../model/release.ts';
import { SECRET } from '../render/describe.ts';
import { ReleaseStore } from '../release/store.ts';
import { projectName, withStore, type CommonOptions } from './context.ts';
import { releaseDetail, releaseTable } from './release-format.ts';

export async function releasesCommand(flags: CommonOptions): Promise<number> {
  const project = await projectName(flags);
  const list = await withStore(flags, (kv, sealer) => new ReleaseStore(kv, sealer).list(project));
  if (flags.output === 'json') print(JSON.stringify(list.map(brief), null, 2) + '\n');
  else print(list.length === 0 ? `no releases for project ${project}\n` : releaseTable(list));
  return 0;
}

export async function releaseShowCommand(n: string, flags: CommonOptions): Promise<number> {
  const project = await projectName(flags);
  const release = await withStore(flags, (kv, sealer) => new ReleaseStore(kv, sealer).get(project, Number(n)));
  print(flags.output === 'json' ? JSON.stringify(maskSecrets(release), null, 2) + '\n' : releaseDetail(release));
  return 0;
}

/** Releases keep secret values (a rollback needs them); what is printed never shows them. */
function maskSecrets(r: Release): Release {
  const configs = r.desired.configs.map((c) =>
    c.secret ? { ...c, data: Object.fromEntries(Object.keys(c.data).map((k) => [k, SECRET])) } : c,
  );
  return { ...r, desired: { ...r.desired, configs } };
}

function brief(r: Release) {
  const { desired: _desired, operations: _operations, ...rest } = r;
  return rest;
}

function print(s: string): void {
  process.stdout.write(s);
}
