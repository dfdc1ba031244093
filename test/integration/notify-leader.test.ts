import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { cleanupProject, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { startServe, status, waitFor, type ServeProcess } from '../helpers/serve.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

interface LeaderEvent {
  event: string;
  result: string;
  leader?: string;
  controller: { instance: string };
}

/** Issue 17: leader.changed comes from the process that took over, once, on a real etcd election. */
describe('leader.changed notifications (two bosun serve on etcd, real receiver)', function () {
  this.timeout(180_000);
  const project = uniqueProject('notify-ha');
  let server: GitServer;
  let rx: Receiver;
  let kv: KvStore;
  let tmp: string;
  const serves: ServeProcess[] = [];

  before(async () => {
    await Promise.all([ensureTestImages(), requireEtcd()]);
    server = await startGitServer();
    rx = await startReceiver();
    kv = await openStore(ETCD_URL);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-notify-ha-'));
  });
  after(async () => {
    for (const s of serves) await s.stop('SIGKILL');
    await cleanupProject(project);
    for (const e of await kv.list(`/bosun/${project}/`)) await kv.delete(e.key);
    await kv?.close();
    await rx?.close();
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const elected = () =>
    rx
      .at('/ha')
      .map((r) => JSON.parse(r.body) as LeaderEvent)
      .filter((e) => e.event === 'leader.changed' && e.result === 'elected');

  it('the first leader says so; when it dies, the one that takes over says so', async () => {
    const repo = await server.createRepo(project, {
      'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
      'idle.yaml': `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: idle }\nspec:\n  image: ${IMAGE_V1}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n`,
    });
    const config = path.join(tmp, 'notify.yaml');
    await fs.writeFile(
      config,
      `targets:\n  - { name: ha, type: webhook, url: "${rx.url}/ha", events: [leader.changed] }\nretry: { initialDelay: 200ms }\n`,
    );
    for (let i = 0; i < 2; i++) {
      const flags = ['--repo', repo.url, '--state', ETCD_URL, '--cache-dir', path.join(tmp, `cache-${i}`)];
      serves.push(await startServe([...flags, '--poll', '0 0 1 1 *', '--notify-config', config]));
    }
    const [first] = await waitFor(
      'one elected event',
      async () => (elected().length === 1 ? elected() : undefined),
      60_000,
    );
    const leaderIndex = (await Promise.all(serves.map(status))).findIndex((st) => st.leader);
    const leader = serves[leaderIndex]!;
    const other = serves[1 - leaderIndex]!;
    assert.equal(first!.controller.instance, `${os.hostname()}:${leader.pid}`);
    assert.equal(first!.leader, first!.controller.instance);

    await leader.stop('SIGKILL');
    const events = await waitFor(
      'the survivor elected',
      async () => (elected().length === 2 ? elected() : undefined),
      90_000,
      other,
    );
    assert.equal(events[1]!.controller.instance, `${os.hostname()}:${other.pid}`);
    // followers say nothing when they only see who leads
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(rx.at('/ha').length, 2, rx.received.map((r) => r.body).join('\n'));
    assert.ok((await status(other)).leader);
  });
});
