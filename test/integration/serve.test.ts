import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bosun } from '../helpers/cli.ts';
import {
  cleanupProject,
  containerIds,
  docker,
  ensureTestImages,
  IMAGE_V2,
  projectContainers,
  uniqueProject,
} from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { githubPush, metric, post, sign, startServe, status, waitFor, type ServeProcess } from '../helpers/serve.ts';
import { present, stackFiles } from '../helpers/stack.ts';

const SECRET = 'serve-test-secret';
/** Never fires during a test: these suites see only the start-up pass and what they trigger. */
const NO_POLL = '0 0 1 1 *';

/** Issue #3's acceptance: the real `bosun serve` process, Docker, git over HTTP, the embedded store. */
describe('bosun serve (docker + git over HTTP + embedded store)', function () {
  this.timeout(180_000);
  let server: GitServer;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
  });
  after(async () => server?.close());

  /** A repo, a temp dir and a running `bosun serve` for one project; removed afterwards. */
  function fixture(prefix: string, args: () => string[], env: Record<string, string> = {}) {
    const f = {
      project: uniqueProject(prefix),
      repo: undefined as unknown as TestRepo,
      tmp: '',
      s: undefined as unknown as ServeProcess,
    };
    before(async () => {
      f.repo = await server.createRepo(f.project, present(stackFiles(f.project, { worker: false })));
      f.tmp = await fs.mkdtemp(path.join(os.tmpdir(), `bosun-${prefix}-`));
      await fs.writeFile(path.join(f.tmp, 'secret'), `${SECRET}\n`);
      const base = [
        '--repo',
        f.repo.url,
        '--ref',
        'main',
        '--state',
        `file:${f.tmp}/state`,
        '--cache-dir',
        `${f.tmp}/cache`,
      ];
      f.s = await startServe([...base, ...args().map((a) => a.replace('$TMP', f.tmp))], env);
      const head = await f.repo.head();
      await waitFor(
        'the start-up pass to converge',
        async () => ((await status(f.s)).applied?.revision === head ? true : undefined),
        60_000,
        f.s,
      );
    });
    after(async () => {
      await f.s?.stop('SIGKILL');
      await cleanupProject(f.project);
      if (f.tmp) await fs.rm(f.tmp, { recursive: true, force: true });
    });
    return f;
  }

  const converged = (f: { s: ServeProcess }, sha: string) =>
    waitFor(
      `revision ${sha.slice(0, 12)} applied`,
      async () => {
        const st = await status(f.s);
        return st.applied?.revision === sha && !st.queue.running && !st.queue.pending ? st : undefined;
      },
      60_000,
      f.s,
    );

  describe('webhooks', () => {
    // 100 deliveries at once from one address below: the per-source limits are raised for this suite
    const f = fixture('serve-hook', () => [
      '--poll',
      NO_POLL,
      '--webhook-secret-file',
      '$TMP/secret',
      '--webhook-rate',
      '1000',
      '--max-connections-per-source',
      '200',
    ]);

    it('a signed GitHub push converges the new revision and /status shows it', async () => {
      const before = await status(f.s);
      const sha = await f.repo.commit(stackFiles(f.project, { worker: false, webImage: IMAGE_V2 }), 'web v2');
      const r = await post(f.s, 'github', githubPush(f.repo.url, 'main', sha, SECRET));
      assert.deepEqual(r, { code: 202, body: { status: 'accepted', queued: 'started' } });
      const st = await converged(f, sha);
      assert.equal(st.applied!.release, before.applied!.release + 1);
      assert.deepEqual([st.lastAttempt!.trigger, st.lastAttempt!.result], ['webhook', 'applied']);
      assert.equal(st.lastWebhook!.provider, 'github');
      const web = (await projectContainers(f.project)).filter((c) => c.Labels['bosun.service'] === 'web');
      assert.deepEqual(
        web.map((c) => [c.Image, c.Labels['bosun.revision']]),
        [
          [IMAGE_V2, sha],
          [IMAGE_V2, sha],
        ],
      );
      assert.equal(await metric(f.s, 'bosun_applied_revision_info', { revision: sha }), 1);
      assert.equal((await fetch(`${f.s.url}/readyz`)).status, 200);
    });

    it('refuses bad, missing, oversized, malformed and other-branch deliveries, and reconciles nothing', async () => {
      const sha = await f.repo.commit(
        stackFiles(f.project, { worker: false, webImage: IMAGE_V2, level: 'debug' }),
        'pending',
      );
      const ids = await containerIds(f.project);
      const runs = await metric(f.s, 'bosun_reconciles_total');
      const good = githubPush(f.repo.url, 'main', sha, SECRET);
      const signed = (body: string | Buffer) => ({
        body,
        headers: {
          ...good.headers,
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': `sha256=${sign(body.toString(), SECRET)}`,
        },
      });
      const answers = [
        await post(f.s, 'github', {
          body: good.body,
          headers: { ...good.headers, 'x-hub-signature-256': `sha256=${sign(good.body, 'wrong')}` },
        }),
        await post(f.s, 'github', githubPush(f.repo.url, 'main', sha, undefined)),
        await post(f.s, 'github', signed(Buffer.alloc(1024 * 1024 + 1, 0x20))),
        await post(f.s, 'github', signed('{"ref":"refs/heads/main"')),
        await post(f.s, 'github', githubPush(f.repo.url, 'feature', sha, SECRET)),
        await post(f.s, 'github', {
          ...signed('{"zen":"hi"}'),
          headers: { ...signed('{"zen":"hi"}').headers, 'x-github-event': 'ping' },
        }),
      ];
      assert.deepEqual(
        answers.map((a) => a.code),
        [401, 401, 413, 400, 202, 200],
      );
      assert.equal(answers[4].body.status, 'ignored');
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal(await metric(f.s, 'bosun_reconciles_total'), runs, 'no pass ran');
      assert.deepEqual(await containerIds(f.project), ids);
      assert.notEqual((await status(f.s)).applied!.revision, sha);
      for (const [st, n] of Object.entries({ unauthorized: 2, too_large: 1, malformed: 1, ignored: 1, ping: 1 })) {
        assert.equal(await metric(f.s, 'bosun_webhooks_total', { provider: 'github', status: st }), n, st);
      }
    });

    it('brings back a container removed with docker rm -f: same release, no new release', async () => {
      const st = await status(f.s);
      const victim = (await projectContainers(f.project)).find(
        (c) => c.Labels['bosun.service'] === 'web' && c.Labels['bosun.replica'] === '1',
      )!;
      const repairs = await metric(f.s, 'bosun_drift_repairs_total');
      // the replacements of the tests before emitted kill/die/destroy events: bosun's own, not drift
      assert.equal(await metric(f.s, 'bosun_reconciles_total', { trigger: 'drift' }), 0);
      const t0 = Date.now();
      await docker.getContainer(victim.Id).remove({ force: true });
      const back = await waitFor(
        'web-1 to come back',
        async () => {
          const c = (await projectContainers(f.project)).find(
            (x) => x.Labels['bosun.service'] === 'web' && x.Labels['bosun.replica'] === '1',
          );
          return c && c.Id !== victim.Id && c.State === 'running' ? c : undefined;
        },
        20_000,
        f.s,
      );
      assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
      assert.equal(back.Labels['bosun.release'], victim.Labels['bosun.release']);
      assert.equal(
        back.Labels['bosun.revision'],
        st.applied!.revision,
        'healed to the release in force, not to the pending commit',
      );
      await waitFor(
        'the repair to be counted',
        async () => ((await metric(f.s, 'bosun_drift_repairs_total')) === repairs + 1 ? true : undefined),
        10_000,
        f.s,
      );
      const after = await status(f.s);
      assert.deepEqual(after.applied, st.applied);
      assert.deepEqual([after.lastAttempt!.trigger, after.lastAttempt!.result], ['drift', 'healed']);
    });

    it('100 webhooks fired during a reconcile cause at most 2 reconciles, ending at the newest revision', async () => {
      const runs = () => metric(f.s, 'bosun_reconciles_total', { trigger: 'webhook' });
      const [before, coalesced] = [await runs(), await metric(f.s, 'bosun_queue_coalesced_total')];
      const first = await f.repo.commit(stackFiles(f.project, { worker: false, level: 'burst-1' }), 'burst 1');
      assert.equal((await post(f.s, 'github', githubPush(f.repo.url, 'main', first, SECRET))).code, 202);
      const newest = await f.repo.commit(stackFiles(f.project, { worker: false, level: 'burst-2' }), 'burst 2');
      assert.equal((await status(f.s)).queue.running, true, 'the first pass is still running');
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => post(f.s, 'github', githubPush(f.repo.url, 'main', newest, SECRET))),
      );
      assert.ok(answers.every((a) => a.code === 202 && a.body.status === 'accepted'));
      await converged(f, newest);
      const ran = (await runs()) - before;
      assert.ok(ran >= 1 && ran <= 2, `${ran} reconciles`);
      assert.ok((await metric(f.s, 'bosun_queue_coalesced_total')) - coalesced >= 99);
      const api = (await projectContainers(f.project)).find((c) => c.Labels['bosun.service'] === 'api')!;
      assert.ok((await docker.getContainer(api.Id).inspect()).Config.Env.includes('LEVEL=burst-2'));
    });

    it('records a failing pass in /status and /metrics by disposition, and keeps serving', async () => {
      const ids = await containerIds(f.project);
      const broken = {
        ...stackFiles(f.project, { worker: false }),
        'services/web.yaml': 'apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  replicas: two\n',
      };
      const sha = await f.repo.commit(broken, 'broken');
      assert.equal((await post(f.s, 'github', githubPush(f.repo.url, 'main', sha, SECRET))).code, 202);
      const st = await waitFor(
        'the pass to fail',
        async () => {
          const x = await status(f.s);
          return x.lastAttempt?.result === 'stalled' ? x : undefined;
        },
        30_000,
        f.s,
      );
      assert.equal(st.lastAttempt!.error!.code, 'E_MANIFEST_INVALID');
      assert.match(st.lastAttempt!.error!.message, /services\/web\.yaml:6:13 spec\.replicas: must be integer/);
      assert.equal(await metric(f.s, 'bosun_reconciles_total', { trigger: 'webhook', result: 'stalled' }), 1);
      assert.deepEqual(await containerIds(f.project), ids);
      assert.equal((await fetch(`${f.s.url}/healthz`)).status, 200);
    });

    it('on SIGTERM lets the running apply finish, then exits 0', async () => {
      const sha = await f.repo.commit(stackFiles(f.project, { worker: false, level: 'last' }), 'last');
      assert.equal((await post(f.s, 'github', githubPush(f.repo.url, 'main', sha, SECRET))).code, 202);
      assert.equal((await status(f.s)).queue.running, true);
      assert.equal(await f.s.stop('SIGTERM'), 0);
      const r = await bosun(['releases', '--project', f.project, '--state', `file:${f.tmp}/state`, '-o', 'json']);
      const last = (JSON.parse(r.stdout) as { revision: string; status: string; trigger: string }[]).at(-1)!;
      assert.deepEqual([last.revision, last.status, last.trigger], [sha, 'succeeded', 'webhook']);
      assert.ok(f.s.logs.some((l) => l.msg === 'stopped'));
      assert.ok(!JSON.stringify(f.s.logs).includes(SECRET), 'the webhook secret is never logged');
    });
  });

  describe('polling, with webhooks disabled', () => {
    const f = fixture('serve-poll', () => ['--poll', '*/2 * * * * *'], { BOSUN_WEBHOOK_SECRET: '' });

    it('answers webhooks 503 without a secret', async () => {
      const r = await post(f.s, 'github', githubPush(f.repo.url, 'main', await f.repo.head(), SECRET));
      assert.equal(r.code, 503);
      assert.match(String(r.body.error), /no secret is configured/);
    });

    it('converges a new commit within one poll interval', async () => {
      await waitFor(
        'an idle poll to be counted',
        async () =>
          (await metric(f.s, 'bosun_reconciles_total', { trigger: 'poll', result: 'noop' })) >= 1 ? true : undefined,
        5_000,
        f.s,
      );
      const sha = await f.repo.commit(stackFiles(f.project, { worker: false, webReplicas: 1 }), 'scale down');
      const pushed = Date.now();
      await converged(f, sha);
      // read the pass from the log: /status's lastAttempt may already show a later, idle poll
      const pass = f.s.logs.find((l) => l.result === 'applied' && l.revision === sha);
      const passes = f.s.logs.filter((l) => /pass/.test(String(l.msg))).map((l) => JSON.stringify(l));
      assert.ok(pass, `a pass applied the new revision; the passes logged:\n${passes.join('\n')}`);
      assert.equal(pass.trigger, 'poll');
      // it started within one 2 s interval (+ slack for a busy host)
      const loggedAt = typeof pass.time === 'number' ? pass.time : Date.parse(String(pass.time));
      const noticedMs = loggedAt - Number(pass.ms) - pushed;
      assert.ok(noticedMs <= 2_000 + 1_500, `noticed after ${noticedMs} ms`);
      assert.equal((await containerIds(f.project)).web.length, 1);
    });
  });

  it('refuses an invalid cron expression at start-up in one line, exit 1', async () => {
    const r = await bosun(['serve', '--project', 'x', '--poll', '*/5 * *', '--listen', '127.0.0.1:0']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'error: --poll "*/5 * *" is not a valid cron expression (expression: expected 5 or 6 fields but got 3)\n',
    );
  });
});
