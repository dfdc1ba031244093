import type { Artifact } from '../../src/ports.ts';

/** A root artifact whose folder tree ids are derived from their files, as git's are. */
export function revision(n: number, files: Record<string, string>): Artifact {
  const trees = new Map<string, string>();
  for (const f of Object.keys(files)) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      trees.set(dir, JSON.stringify(Object.entries(files).filter(([k]) => k.startsWith(`${dir}/`))));
    }
  }
  const map = new Map(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)] as const));
  return {
    repo: 'http://git.test/cluster.git',
    ref: 'main',
    revision: String(n).repeat(40),
    path: '',
    files: map,
    trees,
  };
}
