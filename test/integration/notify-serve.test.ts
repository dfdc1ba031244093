import { strict as assert } from 'node:assert';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bosun } from '../helpers/cli.ts';
import {
  cleanupProject,
  docker,
  ensureTestImages,
  IMAGE_V1,
  IMAGE_V2,
  projectContainers,
  uniqueProject,
} from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { startReceiver, type Received, type Receiver } from '../helpers/receiver.ts';
import { githubPush, metric, post, startServe, status, waitFor, type ServeProcess } from '../helpers/serve.ts';

const HOOK_KEY = 'notify-hook-key';
const WEBHOOK_SECRET = 'notify-push-secret';
const FORGE_TOKEN = 'forge-token-for-tests';
/** Never fires during a test: passes come from the start-up and the pushes the tests send. */
const NO_POLL = '0 0 1 1 *';
const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

/**
 * One service reading a secret Config as a file. `leaky`: its new version's healthcheck prints
 * the secret and fails, so the rollout is rolled back with the secret in the health output.
 */
function stack(project: string, secret: string, o: { image?: string; leaky?: boolean } = {}) {
  const probe = o.leaky ? '[sh, -c, "cat /run/secrets/token; exit 1"]' : '[test, -f, /VERSION]';
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
    'creds.yaml': `apiVersion: bosun/v1\nkind: Config\nmetadata: { name: creds }\nspec:\n  prefix: /${project}/creds/\n  secret: true\n  data:\n    TOKEN: ${secret}\n`,
    'web.yaml': [
      'apiVersion: bosun/v1',
      'kind: Service',
      'metadata: { name: web }',
      'spec:',
      `  image: ${o.image ?? IMAGE_V1}`,
      `  command: ${IDLE}`,
      '  files:',
      '    - { config: creds, key: TOKEN, target: /run/secrets/token, mode: 0o400 }',
      `  healthcheck: { cmd: ${probe}, interval: 200ms, timeout: 5s, retries: 2 }`,
      '  update: { order: start-first, parallelism: 1, failureAction: rollback }',
      '  stopGracePeriod: 1s',
      '',
    ].join('\n'),
  };
}

interface Body {
  event: string;
  id: string;
  project: string;
  release?: number;
  revision?: string;
  result: string;
  error?: { code: string; message: string };
  controller: { host: string };
  sentAt: string;
}

const parsed = (r: Received) => JSON.parse(r.body) as Body;

/** Issue 17: a live `bosun serve` (Docker, git over HTTP, embedded store) tells real local HTTP receivers. */
describe('bosun serve notifications and commit statuses (real receivers)', function () {
  this.timeout(180_000);
  let server: GitServer;
  let rx: Receiver;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    rx = await startReceiver();
  });
  after(async () => {
    await rx?.close();
    await server?.close();
  });

  /** A repo, a notify config and a running serve for one project; removed afterwards. */
  function fixture(prefix: string, notify: (tmp: string, f: { project: string }) => string, beforeStart = () => {}) {
    const f = {
      project: uniqueProject(prefix),
      secret: `hunter2-${randomBytes(8).toString('hex')}`,
      repo: undefined as unknown as TestRepo,
      tmp: '',
      s: undefined as unknown as ServeProcess,
      first: '',
    };
    before(async () => {
      f.repo = await server.createRepo(f.project, stack(f.project, f.secret));
      f.first = await f.repo.head();
      f.tmp = await fs.mkdtemp(path.join(os.tmpdir(), `bosun-${prefix}-`));
      await fs.writeFile(path.join(f.tmp, 'hook-key'), `${HOOK_KEY}\n`);
      await fs.writeFile(path.join(f.tmp, 'push-secret'), `${WEBHOOK_SECRET}\n`);
      await fs.writeFile(path.join(f.tmp, 'token'), `${FORGE_TOKEN}\n`);
      await fs.writeFile(path.join(f.tmp, 'notify.yaml'), notify(f.tmp, f));
      beforeStart();
      f.s = await startServe([
        '--repo',
        f.repo.url,
        '--ref',
        'main',
        '--state',
        `file:${f.tmp}/state`,
        '--cache-dir',
        `${f.tmp}/cache`,
        '--poll',
        NO_POLL,
        '--webhook-secret-file',
        `${f.tmp}/push-secret`,
        '--webhook-providers',
        'github',
        '--notify-config',
        `${f.tmp}/notify.yaml`,
      ]);
    });
    after(async () => {
      await f.s?.stop('SIGKILL');
      await cleanupProject(f.project);
      if (f.tmp) await fs.rm(f.tmp, { recursive: true, force: true });
    });
    return f;
  }

  const push = async (f: ReturnType<typeof fixture>, files: Record<string, string>, message: string) => {
    const sha = await f.repo.commit(files, message);
    const r = await post(f.s, 'github', githubPush(f.repo.url, 'main', sha, WEBHOOK_SECRET));
    assert.equal(r.code, 202, JSON.stringify(r.body));
    return sha;
  };

  /** What `prefix` received for the project, once `probe` holds for it. */
  const received = (f: ReturnType<typeof fixture>, prefix: string, what: string, probe: (got: Received[]) => boolean) =>
    waitFor(
      what,
      async () => {
        const got = rx.at(prefix).filter((r) => r.body.includes(f.project));
        return probe(got) ? got : undefined;
      },
      60_000,
      f.s,
    );

  describe('webhook, Slack, Discord and GitHub statuses', () => {
    const f = fixture(
      'notify',
      (tmp, { project }) =>
        [
          'apiVersion: bosun/v1',
          'kind: Notifications',
          'dashboardUrl: https://bosun.example.test/',
          'retry: { attempts: 4, initialDelay: 300ms, timeout: 20s }',
          'targets:',
          `  - { name: ops, type: webhook, url: "${rx.url}/hook/${project}", secretFile: ${tmp}/hook-key }`,
          `  - { name: chat, type: slack, url: "${rx.url}/slack/${project}", events: [release.succeeded, release.rolled-back] }`,
          `  - { name: game, type: discord, url: "${rx.url}/discord/${project}", events: [release.rolled-back] }`,
          'commitStatus:',
          '  provider: github',
          `  apiUrl: ${rx.url}/gh/${project}`,
          '  repo: acme/shop',
          `  tokenFile: ${tmp}/token`,
          '',
        ].join('\n'),
      // the first delivery to the webhook fails: the retry must be seen
      () => rx.scripts.set('/hook/', [{ status: 500 }]),
    );

    it('the start-up release: signed release.succeeded after a retried 500, leader.changed, pending then success', async () => {
      const hooks = await received(f, `/hook/${f.project}`, 'release.succeeded delivered', (got) =>
        got.some((r) => parsed(r).event === 'release.succeeded'),
      );
      const succeeded = hooks.filter((r) => parsed(r).event === 'release.succeeded');
      const first = rx.at(`/hook/${f.project}`)[0]!;
      for (const r of hooks) {
        const expected = `sha256=${createHmac('sha256', HOOK_KEY).update(r.body).digest('hex')}`;
        assert.equal(r.headers['x-bosun-signature-256'], expected, 'signed with the shared key');
        assert.equal(r.headers['x-bosun-delivery'], parsed(r).id);
        assert.ok(Math.abs(Number(r.headers['x-bosun-timestamp']) * 1000 - Date.parse(parsed(r).sentAt)) < 1000);
      }
      // the 500 was answered to whichever event came first; the same delivery id came again
      const retried = hooks.filter((r) => r.headers['x-bosun-delivery'] === first.headers['x-bosun-delivery']);
      assert.ok(retried.length >= 2, `the delivery answered 500 was retried (${retried.length} attempts)`);
      const ev = parsed(succeeded.at(-1)!);
      assert.deepEqual([ev.project, ev.release, ev.revision, ev.result], [f.project, 1, f.first, 'succeeded']);
      assert.equal(ev.controller.host, os.hostname());
      assert.ok(
        hooks.some((r) => parsed(r).event === 'leader.changed'),
        'leader.changed delivered',
      );
      assert.ok(!hooks.some((r) => parsed(r).event === 'release.started'), 'release.started is not a default event');
      assert.ok((await metric(f.s, 'bosun_notifications_total', { target: 'ops', result: 'retried' })) >= 1);

      const statuses = await received(f, `/gh/${f.project}`, 'pending then success', (got) => got.length >= 2);
      assert.deepEqual(
        statuses.map((r) => [r.method, r.path, r.headers.authorization, JSON.parse(r.body).state]),
        [
          ['POST', `/gh/${f.project}/repos/acme/shop/statuses/${f.first}`, `Bearer ${FORGE_TOKEN}`, 'pending'],
          ['POST', `/gh/${f.project}/repos/acme/shop/statuses/${f.first}`, `Bearer ${FORGE_TOKEN}`, 'success'],
        ],
      );
      assert.deepEqual(JSON.parse(statuses[1]!.body), {
        state: 'success',
        context: `bosun/${f.project}`,
        description: 'release 1 succeeded',
        target_url: 'https://bosun.example.test/',
      });
      const slack = await received(f, `/slack/${f.project}`, 'slack message', (got) => got.length >= 1);
      const msg = JSON.parse(slack[0]!.body) as { text: string; blocks: { type: string }[] };
      assert.match(msg.text, new RegExp(`${f.project}: release 1 succeeded`));
      assert.deepEqual(
        msg.blocks.map((b) => b.type),
        ['section', 'context'],
      );
    });

    it('a failing rollout: release.rolled-back with its error, secret masked; failure status; Discord embed', async () => {
      const sha = await push(f, stack(f.project, f.secret, { image: IMAGE_V2, leaky: true }), 'leaky v2');
      const hooks = await received(f, `/hook/${f.project}`, 'release.rolled-back', (got) =>
        got.some((r) => parsed(r).event === 'release.rolled-back'),
      );
      const ev = parsed(hooks.find((r) => parsed(r).event === 'release.rolled-back')!);
      assert.deepEqual([ev.release, ev.revision, ev.result], [2, sha, 'rolled-back']);
      assert.match(ev.error!.message, /last healthcheck exited 1: \(secret\)/, 'the probe printed the secret: masked');
      const statuses = await received(f, `/gh/${f.project}`, 'the failure status', (got) =>
        got.some((r) => r.path.endsWith(sha) && JSON.parse(r.body).state === 'failure'),
      );
      assert.deepEqual(
        statuses.filter((r) => r.path.endsWith(sha)).map((r) => JSON.parse(r.body).state),
        ['pending', 'failure'],
      );
      const discord = await received(f, `/discord/${f.project}`, 'discord message', (got) => got.length >= 1);
      const d = JSON.parse(discord[0]!.body) as { content: string; embeds: { title: string; description: string }[] };
      assert.match(d.content, /release 2 rolled back/);
      assert.equal(d.embeds[0]!.title, 'release.rolled-back');
      assert.match(d.embeds[0]!.description, /\(secret\)/);
      // nothing any receiver got, nor any log line, holds the secret or a token
      const everything = rx.received.map((r) => r.body).join('\n');
      assert.ok(everything.includes(f.project));
      assert.ok(!everything.includes(f.secret), 'no receiver saw the secret value');
      // nor does a log line hold the secret (the release's error is masked where it is made), a key,
      // a token or a receiver's URL (which may hold tokens); nor does /status
      const logs = JSON.stringify(f.s.logs);
      for (const hidden of [f.secret, HOOK_KEY, FORGE_TOKEN, `${rx.url}/hook`, `${rx.url}/slack`, `${rx.url}/gh`])
        assert.ok(!logs.includes(hidden), `logs hold ${hidden}`);
      assert.ok(!JSON.stringify(await status(f.s)).includes(f.secret), '/status holds the secret');
      const shown = await bosun(['releases', 'show', '2', '--repo', f.repo.url, '--state', `file:${f.tmp}/state`]);
      assert.match(shown.stdout, /last healthcheck exited 1: \(secret\)/);
      assert.ok(!shown.stdout.includes(f.secret), 'the release record holds the secret');
    });

    it('drift repaired, then pinned by bosun rollback and resumed: one event each', async () => {
      const events = () =>
        rx
          .at(`/hook/${f.project}`)
          .map(parsed)
          .filter((b, i, all) => all.findIndex((x) => x.id === b.id) === i);
      const web = (await projectContainers(f.project)).find((c) => c.Labels['bosun.service'] === 'web')!;
      await docker.getContainer(web.Id).remove({ force: true });
      await received(f, `/hook/${f.project}`, 'drift.repaired', () =>
        events().some((b) => b.event === 'drift.repaired'),
      );
      const repaired = events().find((b) => b.event === 'drift.repaired')!;
      assert.deepEqual([repaired.result, repaired.release], ['healed', 1]);

      const flags = ['--repo', f.repo.url, '--state', `file:${f.tmp}/state`, '--cache-dir', `${f.tmp}/cli-cache`];
      const rolled = await bosun(['rollback', '1', ...flags]);
      assert.equal(rolled.code, 0, rolled.stdout + rolled.stderr);
      await push(f, stack(f.project, f.secret, { image: IMAGE_V2, leaky: true }), 'still leaky, pinned');
      await received(f, `/hook/${f.project}`, 'stack.pinned', () => events().some((b) => b.event === 'stack.pinned'));
      const resumed = await bosun(['resume', ...flags]);
      assert.equal(resumed.code, 1, 'resume converges to git, whose head still fails its rollout');
      await push(f, stack(f.project, f.secret, { image: IMAGE_V1 }), 'back to v1');
      await received(f, `/hook/${f.project}`, 'stack.resumed', () => events().some((b) => b.event === 'stack.resumed'));
      assert.deepEqual(
        events()
          .map((b) => b.event)
          .filter((e) => e.startsWith('stack.')),
        ['stack.pinned', 'stack.resumed'],
      );
    });

    it('receivers that never answer do not delay a reconcile', async () => {
      for (const prefix of ['/hook/', '/slack/', '/gh/'])
        rx.scripts.set(prefix, Array(20).fill({ status: 200, hang: true }));
      const before = rx.hanging();
      const sha = await push(f, stack(f.project, f.secret, { image: IMAGE_V2 }), 'fixed v2');
      const started = Date.now();
      const pass = await waitFor(
        'the fix applied while receivers hang',
        async () => f.s.logs.find((l) => l.msg === 'webhook pass: applied' && l.revision === sha),
        60_000,
        f.s,
      );
      assert.equal((await status(f.s)).applied?.revision, sha);
      assert.ok(rx.hanging() > before, 'deliveries were started and are still waiting for an answer');
      // a delivery waits up to its 20 s timeout before its retry; the pass waited for none of them
      assert.ok((pass.ms as number) < 15_000, `the pass took ${String(pass.ms)} ms`);
      assert.ok(Date.now() - started < 15_000, 'applied within 15 s of the push');
      rx.scripts.clear();
    });
  });

  it('serve refuses an invalid notify config (flag or BOSUN_NOTIFY_CONFIG) at its place, before starting', async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-notify-bad-'));
    try {
      const file = path.join(tmp, 'notify.yaml');
      await fs.writeFile(file, 'targets:\n  - name: ops\n    type: webhok\n    url: https://x.test/\n');
      const flags = [
        'serve',
        '--repo',
        'https://github.com/acme/shop.git',
        '--project',
        'p',
        '--state',
        `file:${tmp}/state`,
      ];
      for (const r of [
        await bosun([...flags, '--notify-config', file]),
        await bosun(flags, { BOSUN_NOTIFY_CONFIG: file }),
      ]) {
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.equal(r.stdout, '', 'nothing started');
        assert.match(
          r.stderr,
          new RegExp(`${file}:3:11 targets\\[0\\]\\.type: must be one of webhook, slack, discord`),
        );
      }
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });

  for (const provider of ['gitlab', 'gitea'] as const) {
    describe(`${provider} commit statuses`, () => {
      const f = fixture(`notify-${provider}`, (tmp, { project }) =>
        [
          'commitStatus:',
          `  provider: ${provider === 'gitea' ? 'forgejo' : provider}`,
          `  apiUrl: ${rx.url}/${provider}/${project}/api`,
          '  repo: acme/shop',
          `  tokenFile: ${tmp}/token`,
          'retry: { initialDelay: 300ms }',
          '',
        ].join('\n'),
      );

      it('pending then success on the applied commit, then pending and failed for a failed rollout', async () => {
        const prefix = `/${provider}/${f.project}/api`;
        const path =
          provider === 'gitlab'
            ? (sha: string) => `${prefix}/projects/acme%2Fshop/statuses/${sha}`
            : (sha: string) => `${prefix}/repos/acme/shop/statuses/${sha}`;
        const auth = (r: Received) => (provider === 'gitlab' ? r.headers['private-token'] : r.headers.authorization);
        const token = provider === 'gitlab' ? FORGE_TOKEN : `token ${FORGE_TOKEN}`;
        const state = (r: Received) => JSON.parse(r.body).state as string;
        const first = await waitFor(
          'two statuses',
          async () => (rx.at(prefix).length >= 2 ? rx.at(prefix) : undefined),
          60_000,
          f.s,
        );
        assert.deepEqual(
          first.map((r) => [r.path, auth(r), state(r)]),
          [
            [path(f.first), token, 'pending'],
            [path(f.first), token, 'success'],
          ],
        );
        const name = provider === 'gitlab' ? 'name' : 'context';
        assert.equal(JSON.parse(first[0]!.body)[name], `bosun/${f.project}`);
        const sha = await push(f, stack(f.project, f.secret, { image: IMAGE_V2, leaky: true }), 'leaky');
        const all = await waitFor(
          'the failed statuses',
          async () => (rx.at(prefix).length >= 4 ? rx.at(prefix) : undefined),
          60_000,
          f.s,
        );
        const failed = provider === 'gitlab' ? 'failed' : 'failure';
        assert.deepEqual(
          all.slice(2).map((r) => [r.path, state(r)]),
          [
            [path(sha), 'pending'],
            [path(sha), failed],
          ],
        );
        assert.ok(!all.some((r) => r.body.includes(f.secret)));
      });
    });
  }
});
