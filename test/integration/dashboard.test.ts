import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { cleanupProject, ensureTestImages, IMAGE_V1, IMAGE_V2, uniqueProject } from '../helpers/docker.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { githubPush, metric, post, startServe, status, waitFor, type ServeProcess } from '../helpers/serve.ts';
import { present, stackFiles } from '../helpers/stack.ts';

const SECRET = 'dashboard-test-secret';
const TOKEN = 'dashboard-token-0123456789abcdef';
const NO_POLL = '0 0 1 1 *';
const DOCS = path.resolve(import.meta.dirname, '../../docs');

/** web's container exits at once: its rollout fails and is rolled back. */
function brokenWeb(project: string): Record<string, string | null> {
  return {
    ...stackFiles(project, { worker: false }),
    'services/web.yaml': [
      'apiVersion: bosun/v1',
      'kind: Service',
      'metadata:',
      '  name: web',
      'spec:',
      `  image: ${IMAGE_V1}`,
      '  replicas: 2',
      '  command: [sh, -c, "echo starting; exit 3"]',
      '  dependsOn: [api]',
      '',
    ].join('\n'),
  };
}

/** Issue #17's acceptance: a real Chromium on the dashboard of a live serve (Docker, git over HTTP). */
describe('dashboard in a real browser (serve + docker + git over HTTP)', function () {
  this.timeout(360_000);
  let server: GitServer;
  let browser: Browser;
  let repo: TestRepo;
  let s: ServeProcess;
  let tmp: string;
  let page: Page;
  const project = uniqueProject('dashboard');
  const stackUrl = (p = '') => `${s.url}/ui/s/${project}/${p}`;

  before(async () => {
    await ensureTestImages();
    browser = await launchBrowser();
    server = await startGitServer();
    repo = await server.createRepo(project, present(stackFiles(project, { worker: false })));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-dashboard-'));
    await fs.writeFile(path.join(tmp, 'token'), `${TOKEN}\n`);
    await fs.writeFile(path.join(tmp, 'secret'), `${SECRET}\n`);
    s = await startServe([
      ...['--repo', repo.url, '--ref', 'main', '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`],
      ...['--poll', NO_POLL, '--webhook-secret-file', `${tmp}/secret`, '--webhook-providers', 'github'],
      ...['--ui-token-file', `${tmp}/token`],
    ]);
    await converged(await repo.head());
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 860 });
    page.on('dialog', (d) => void d.accept());
  });

  after(async () => {
    await browser?.close();
    await s?.stop('SIGKILL');
    await cleanupProject(project);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  function converged(sha: string) {
    return waitFor(
      `revision ${sha.slice(0, 12)} applied`,
      async () => {
        const st = await status(s);
        return st.applied?.revision === sha && !st.queue.running && !st.queue.pending ? st : undefined;
      },
      90_000,
      s,
    );
  }

  async function push(files: Record<string, string | null>, message: string): Promise<string> {
    const sha = await repo.commit(files, message);
    const r = await post(s, 'github', githubPush(repo.url, 'main', sha, SECRET));
    assert.equal(r.code, 202);
    return sha;
  }

  const syncOf = (p: Page) => p.$eval('[data-sync]', (e) => e.getAttribute('data-sync'));

  /** Waits for the page's sync state; a timeout says what the page and serve's log showed instead. */
  async function untilSync(state: string, timeout: number): Promise<void> {
    try {
      await page.waitForFunction(
        (want: string) => document.querySelector('[data-sync]')?.getAttribute('data-sync') === want,
        { timeout },
        state,
      );
    } catch (err) {
      const shown = await text(page, '.headline').catch((e: Error) => e.message);
      const log = s.logs.slice(-15).map((l) => `${String(l.msg)} ${l.op ?? l.code ?? ''}`);
      throw new Error(
        `${(err as Error).message}: page shows ${JSON.stringify(shown)}; serve's last log lines:\n${log.join('\n')}`,
      );
    }
  }
  const text = (p: Page, sel: string) => p.$eval(sel, (e) => (e as HTMLElement).innerText);
  const shot = (p: Page, name: string) =>
    p.screenshot({ path: path.join(DOCS, `dashboard-${name}.png`), fullPage: true });

  it('loads, then shows a pushed change live and turns in sync without a reload', async () => {
    const res = await page.goto(stackUrl(), { waitUntil: 'domcontentloaded' });
    assert.equal(res!.status(), 200);
    const headers = res!.headers();
    assert.match(headers['content-security-policy']!, /default-src 'self'/);
    assert.match(headers['content-security-policy']!, /frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(await syncOf(page), 'in-sync');
    await page.waitForSelector('#live[data-connected="true"]', { timeout: 10_000 });
    // a mark on this document: a reload would lose it
    await page.evaluate(() => ((window as unknown as { mark: number }).mark = 17));
    const sha = await push(stackFiles(project, { worker: false, webImage: IMAGE_V2 }), 'web v2');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#progress li.progress')].some((li) =>
          /replace container/.test(li.textContent ?? ''),
        ),
      { timeout: 60_000 },
    );
    await page.waitForFunction(
      (short: string) =>
        document.querySelector('[data-sync]')?.getAttribute('data-sync') === 'in-sync' &&
        document.getElementById('applied-revision')?.textContent === short,
      { timeout: 60_000 },
      sha.slice(0, 12),
    );
    assert.equal(await page.evaluate(() => (window as unknown as { mark?: number }).mark), 17, 'the page reloaded');
    // the pass's own end, after its replacements (an earlier pass ended too)
    await page.waitForFunction(
      () => /pass ended/.test(document.querySelector('#progress li:last-child')?.textContent ?? ''),
      { timeout: 30_000 },
    );
    const lines = await text(page, '#progress');
    assert.match(lines, /replace container .*-web-1 \(bosun-test\/busybox:2\)[\s\S]*pass ended\s*$/);
    await converged(sha);
    await shot(page, 'overview');
  });

  it('shows services, the release history and a release as a field-level diff', async () => {
    await page.goto(stackUrl('services'));
    const services = await text(page, 'table.services');
    assert.match(services, /web\s+bosun-test\/busybox:2\s+2\/2\s+2/);
    assert.match(services, /api\s+bosun-test\/busybox:1\s+1\/1\s+1/);
    await shot(page, 'services');
    await page.goto(stackUrl('releases/2'));
    const diff = await text(page, 'main');
    assert.match(diff, /Changes since #1/);
    assert.match(diff, /image\s+bosun-test\/busybox:1\s+bosun-test\/busybox:2/);
    assert.match(diff, /trigger\s+webhook/);
  });

  it('shows a failed rollout with its error', async () => {
    await page.goto(stackUrl(), { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#live[data-connected="true"]', { timeout: 10_000 });
    await push(brokenWeb(project), 'web exits at once');
    // detecting the failure, then stopping and replacing both replicas again: at a load average
    // of ~50 on 2 cores the page still said "applying" (rolling back) after 90 s
    await untilSync('rolled-back', 180_000);
    const failure = await text(page, '#failure');
    assert.match(failure, /E_CONTAINER_FAILED/);
    assert.match(failure, /web-\d (exited with code 3|restarted after exiting with code 3)/);
    assert.match(await text(page, '#progress'), /rollout failed, rolling back to release 2/);
    // the summary is fetched again after each pass and every 10 s: what did not change stays
    // the same node, so a link is never swapped away under a click
    await page.evaluate(() => {
      (document.querySelector('#failure a') as HTMLElement & { kept?: boolean }).kept = true;
    });
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          document.getElementById('summary')!.addEventListener('refreshed', () => resolve(), { once: true });
          setTimeout(() => reject(new Error('the summary was not refreshed in 30 s')), 30_000);
        }),
    );
    assert.equal(
      await page.$eval('#failure a', (a) => (a as HTMLElement & { kept?: boolean }).kept),
      true,
      'the refresh replaced the link',
    );
    await Promise.all([page.waitForNavigation(), page.click('#failure a')]);
    assert.match(await text(page, 'h1'), /Release #3 rolled-back/);
    assert.match(await text(page, '#failure'), /Why it was rolled back[\s\S]*exit(ed)? .*code 3/);
    await shot(page, 'release-failed');
  });

  it('refuses actions without the token, and without the CSRF token', async () => {
    // drift passes left out: the heal after the previous test's rollback may land at any moment
    const passes = async () =>
      (await metric(s, 'bosun_reconciles_total')) - (await metric(s, 'bosun_reconciles_total', { trigger: 'drift' }));
    const runs = await passes();
    const refused = [
      await fetch(stackUrl('reconcile'), { method: 'POST' }),
      await fetch(stackUrl('reconcile'), { method: 'POST', headers: { authorization: 'Bearer wrong-token' } }),
      await fetch(stackUrl('rollback'), { method: 'POST', body: new URLSearchParams({ release: '1' }) }),
    ];
    assert.deepEqual(
      refused.map((r) => r.status),
      [401, 401, 401],
    );
    // logged in through the form: the cookie alone does not act, a foreign origin does not either
    await page.goto(`${s.url}/ui/login`);
    await page.type('#token', 'not-the-token');
    await Promise.all([page.waitForNavigation(), page.click('form.login button')]);
    assert.match(await text(page, '#login-error'), /wrong token/);
    await page.type('#token', TOKEN);
    await Promise.all([page.waitForNavigation(), page.click('form.login button')]);
    const cookie = (await page.cookies()).find((c) => c.name === 'bosun_ui')!;
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    await page.goto(stackUrl());
    const codes = await page.evaluate(async (url: string) => {
      const noCsrf = await fetch(`${url}reconcile`, { method: 'POST' });
      const wrongCsrf = await fetch(`${url}reconcile`, {
        method: 'POST',
        body: new URLSearchParams({ csrf: 'forged' }),
      });
      return [noCsrf.status, wrongCsrf.status];
    }, stackUrl());
    assert.deepEqual(codes, [403, 403]);
    const csrf = await page.$eval('input[name="csrf"]', (e) => (e as HTMLInputElement).value);
    const foreign = await fetch(stackUrl('reconcile'), {
      method: 'POST',
      headers: { cookie: `bosun_ui=${cookie.value}`, origin: 'http://evil.example' },
      body: new URLSearchParams({ csrf }),
    });
    assert.equal(foreign.status, 403);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(await passes(), runs, 'a refused action ran a pass');
  });

  it('with the token: rolls back to a release (pinned), then resumes to git', async () => {
    const fixed = await push(stackFiles(project, { worker: false, webImage: IMAGE_V2, level: 'debug' }), 'fix web');
    await converged(fixed);
    await page.goto(stackUrl('releases'));
    await shot(page, 'releases');
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/rollback"] input[value="2"] + button')]);
    await untilSync('pinned', 60_000);
    const pinned = await waitFor(
      'the pin',
      async () => ((await status(s)).pinned as { release: number } | null) ?? undefined,
      30_000,
      s,
    );
    assert.equal(pinned.release, 5);
    assert.match(await text(page, '#progress'), /roll back to release 2: requested on the dashboard/);
    await page.goto(stackUrl('plan'));
    assert.match(await text(page, '#pending'), /put key \/.+\/app\/LEVEL = "debug"/);
    await shot(page, 'plan');
    await page.goto(stackUrl());
    // submitted in the page: the summary it sits in is swapped in place after each pass
    await Promise.all([
      page.waitForNavigation(),
      page.$eval('form[action$="/resume"]', (f) => (f as HTMLFormElement).requestSubmit()),
    ]);
    await untilSync('in-sync', 60_000);
    const st = await converged(fixed);
    assert.equal(st.pinned, null);
    assert.equal(st.applied!.release, 6);
    // a script acts with the bearer token alone
    const r = await fetch(stackUrl('reconcile'), { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(r.status, 202);
    assert.equal(((await r.json()) as { action: string }).action, 'reconcile now');
    await page.setViewport({ width: 390, height: 844, isMobile: true, deviceScaleFactor: 2 });
    await page.goto(stackUrl());
    await page.screenshot({ path: path.join(DOCS, 'dashboard-phone.png') });
  });
});

describe('dashboard without a token file (read-only)', function () {
  this.timeout(120_000);
  let server: GitServer;
  let s: ServeProcess;
  let tmp: string;
  const project = uniqueProject('dashboard-ro');

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    const repo = await server.createRepo(project, present(stackFiles(project, { worker: false })));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-dashboard-ro-'));
    s = await startServe(
      [
        '--repo',
        repo.url,
        '--ref',
        'main',
        '--state',
        `file:${tmp}/state`,
        '--cache-dir',
        `${tmp}/cache`,
        '--poll',
        NO_POLL,
      ],
      {
        BOSUN_UI_TOKEN_FILE: '',
      },
    );
    const head = await repo.head();
    await waitFor(
      'converged',
      async () => ((await status(s)).applied?.revision === head ? true : undefined),
      60_000,
      s,
    );
  });
  after(async () => {
    await s?.stop('SIGKILL');
    await cleanupProject(project);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('says how to enable actions and refuses them, whatever the token', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${s.url}/ui/s/${project}/`);
      const note = await page.$eval('#actions-disabled', (e) => (e as HTMLElement).innerText);
      assert.match(note, /--ui-token-file FILE/);
      assert.equal(await page.$('form.action'), null);
    } finally {
      await browser.close();
    }
    const runs = await metric(s, 'bosun_reconciles_total');
    const r = await fetch(`${s.url}/ui/s/${project}/reconcile`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(r.status, 403);
    assert.match(((await r.json()) as { error: string }).error, /--ui-token-file/);
    assert.equal(await metric(s, 'bosun_reconciles_total'), runs);
  });
});
