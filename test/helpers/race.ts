import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Release } from '../../src/model/release.ts';
import { git } from './git-server.ts';

/**
 * A local repo whose tag `v<i>` sets one Config value to i (and, with `service`, one service's
 * env too): every racer that reconciles a different tag has a real change to apply.
 */
export async function taggedRepo(
  dir: string,
  project: string,
  tags: number,
  opts: { service?: string } = {},
): Promise<void> {
  await git(dir, 'init', '-q', '-b', 'main');
  const config = (i: number) =>
    `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n---\napiVersion: bosun/v1\nkind: Config\nmetadata: { name: race }\nspec:\n  prefix: /${project}/race/\n  data: { N: "${i}" }\n`;
  const service = (i: number) =>
    `---\napiVersion: bosun/v1\nkind: Service\nmetadata: { name: racer }\nspec:\n  image: ${opts.service}\n  command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]\n  env: { N: "${i}" }\n  stopGracePeriod: 1s\n`;
  for (let i = 1; i <= tags; i++) {
    await fs.writeFile(path.join(dir, 'bosun.yaml'), config(i) + (opts.service ? service(i) : ''));
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', `v${i}`);
    await git(dir, 'tag', `v${i}`);
  }
}

/** Release numbers 1..n, all succeeded, and no two applies overlapping in time. */
export function assertSerial(list: Release[], n: number): void {
  assert.deepEqual(
    list.map((r) => r.number).sort((a, b) => a - b),
    Array.from({ length: n }, (_, i) => i + 1),
    'numbers unique and dense',
  );
  const spans = list.map((r) => [Date.parse(r.startedAt), Date.parse(r.finishedAt ?? '')]).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++)
    assert.ok(spans[i][0] >= spans[i - 1][1], `release applies overlap: ${JSON.stringify(spans.slice(i - 1, i + 1))}`);
  assert.ok(
    list.every((r) => r.status === 'succeeded'),
    `not all succeeded: ${list.map((r) => `${r.number}:${r.status}`).join(' ')}`,
  );
}
