import { pack } from 'tar-stream';
import type { ContainerBlueprint } from './model.ts';

/**
 * The blueprint's Config files and repo copies as a tar archive for the engine's archive
 * endpoint, extracted at `/` before the container starts: no host folder to manage, and the
 * files live and die with the container (a changed value means a new container, never an
 * edited file).
 */
export async function filesArchive(
  files: ContainerBlueprint['files'],
  copies: ContainerBlueprint['copies'] = [],
): Promise<Buffer> {
  const tar = pack();
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  for (const dir of [...dirs].sort()) tar.entry({ name: `${dir}/`, type: 'directory', mode: 0o755 });
  for (const f of files) tar.entry({ name: f.path.replace(/^\/+/, ''), mode: f.mode }, f.content);
  // no folder entries for copies: the engine makes missing parents (0755) and leaves existing
  // ones as they are, where an entry would reset their mode (/tmp's sticky bit, say)
  for (const c of copies)
    tar.entry({ name: c.path.replace(/^\/+/, ''), mode: c.mode }, Buffer.from(c.base64, 'base64'));
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
