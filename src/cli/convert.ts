import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { BosunError, Codes } from '../errors.ts';
import { toBosunV1 } from '../formats/compose/convert.ts';
import { loadCompose } from '../formats/compose/load.ts';
import { mapCompose } from '../formats/compose/map/index.ts';
import type { Artifact } from '../ports.ts';
import { type CommonOptions, loadOptions } from './context.ts';

/** Folders never part of a stack as git would hold it. */
const SKIP = new Set(['.git', 'node_modules']);

function readFolder(dir: string): Pick<Artifact, 'files' | 'executables'> {
  const files = new Map<string, Uint8Array>();
  const executables = new Set<string>();
  const walk = (abs: string, rel: string) => {
    for (const name of readdirSync(abs).sort()) {
      if (SKIP.has(name)) continue;
      const p = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(p);
      if (st.isDirectory()) walk(p, r);
      else if (st.isFile()) {
        files.set(r, readFileSync(p));
        if (st.mode & 0o100) executables.add(r);
      }
    }
  };
  walk(dir, '');
  return { files, executables };
}

/**
 * `bosun convert <compose file or folder>`: the stack as bosun/v1 manifests on stdout, read
 * from the local disk (files as they are now, not a git revision) with the same rules as a
 * reconcile: --project, --profile and --env-allow mean what they mean there.
 */
export async function convertCommand(target: string, flags: CommonOptions): Promise<number> {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(target);
  } catch {
    throw new BosunError(Codes.usage, `no such compose file or folder: ${target}`);
  }
  const dir = st.isDirectory() ? target : path.dirname(target);
  const files = st.isDirectory() ? undefined : [path.basename(target)];
  const artifact: Artifact = { repo: path.resolve(dir), ref: 'disk', revision: 'disk', path: '', ...readFolder(dir) };
  const opts = loadOptions(flags);
  const loaded = loadCompose(artifact, { ...opts, ...(files ? { files } : {}) });
  const desired = mapCompose(loaded, artifact, { hostEnv: opts.hostEnv ?? {} });
  process.stdout.write(toBosunV1(desired, ''));
  return 0;
}
