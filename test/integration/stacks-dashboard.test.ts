/**
 * Issue 14 part 4 on a live `bosun serve --all` (Docker, git over HTTP): /status lists every
 * stack with its sync state, the metrics carry each stack's project, `bosun releases --project`
 * reads a stack's releases, and the dashboard opens on the stack list in a real Chromium, each
 * row leading to that stack's pages.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { launchBrowser } from '../helpers/browser.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, ensureTestImages } from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { getJson, metric, startServe, waitFor, type ServeProcess } from '../helpers/serve.ts';
import { brokenService, clusterFiles, type StackDef, stackDefs } from '../helpers/stacks.ts';

const NO_POLL = '0 0 1 1 *';
const DOCS = path.resolve(import.meta.dirname, '../../docs');

interface Status {
  stacks: { path: string; project: string | null; sync: string; applied: { release: number } | null }[];
  lastPass: { revision?: string } | null;
  queue: { running: boolean; pending: boolean };
}

describe('bosun serve --all: status, releases, metrics and the stack list in a browser', function () {
  this.timeout(240_000);
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let s: ServeProcess;
  let browser: Browser;
  let page: Page;
  const defs = stackDefs('ms-ui', 3);
  const d = (i: number) => defs[i] as StackDef;
  const state = () => `file:${tmp}/state`;

  before(async () => {
    await ensureTestImages();
    browser = await launchBrowser();
    server = await startGitServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-ms-ui-'));
    // s2 does not validate from the start: it is listed, invalid, beside the two that run
    repo = await server.createRepo(d(0).project, { ...clusterFiles(defs), ...brokenService(d(2)) });
    s = await startServe([
      ...['--stacks', 'stacks/*', '--repo', repo.url, '--ref', 'main', '--state', state()],
      ...['--cache-dir', `${tmp}/cache`, '--poll', NO_POLL],
    ]);
    const sha = await repo.head();
    await waitFor(
      'the first pass',
      async () => {
        const st = (await getJson<Status>(`${s.url}/status`)).body;
        return st.lastPass?.revision === sha && !st.queue.running && !st.queue.pending ? st : undefined;
      },
      120_000,
      s,
    );
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
  });
  after(async () => {
    await browser?.close();
    await s?.stop('SIGKILL');
    for (const x of defs) await cleanupProject(x.project);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('/status lists every stack with its sync state; metrics and releases are per project', async () => {
    const st = (await getJson<Status>(`${s.url}/status`)).body;
    assert.deepEqual(
      st.stacks.map((r) => [r.path, r.project, r.sync, r.applied?.release ?? null]),
      [
        ['stacks/s0', d(0).project, 'synced', 1],
        ['stacks/s1', d(1).project, 'synced', 1],
        ['stacks/s2', d(2).project, 'invalid', null],
      ],
    );
    assert.equal(await metric(s, 'bosun_stack_applied_revision_info', { project: d(1).project, release: '1' }), 1);
    assert.equal(await metric(s, 'bosun_stack_passes_total', { project: d(2).project, result: 'stalled' }), 1);
    const r = await bosun(['releases', '--project', d(1).project, '--state', state()]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\s*1\s.*succeeded/m);
    assert.doesNotMatch(r.stdout, /^\s*2\s/m);
  });

  it('the dashboard opens on the stack list; a row leads to that stack’s releases', async () => {
    const res = await page.goto(`${s.url}/`, { waitUntil: 'domcontentloaded' });
    assert.equal(res!.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/ui/');
    assert.match(res!.headers()['content-security-policy']!, /default-src 'self'/);
    const rows = await page.$$eval('#stacks tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-stack'), tr.querySelector('[data-sync]')?.getAttribute('data-sync')]),
    );
    assert.deepEqual(rows, [
      ['stacks/s0', 'synced'],
      ['stacks/s1', 'synced'],
      ['stacks/s2', 'invalid'],
    ]);
    const error = await page.$eval('tr[data-stack="stacks/s2"] .error', (e) => e.textContent ?? '');
    assert.match(error, /E_MANIFEST_INVALID/);
    assert.match(error, /replicas/);
    assert.equal(await page.$eval('#role', (e) => e.textContent), 'leader');
    // the stylesheet is the dashboard's own, served beside the page
    const styled = await page.$eval('[data-sync="synced"]', (e) => getComputedStyle(e).backgroundColor);
    assert.notEqual(styled, 'rgba(0, 0, 0, 0)');
    await page.screenshot({ path: path.join(DOCS, 'dashboard-stacks.png'), fullPage: true });
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
      page.click('tr[data-stack="stacks/s1"] a[href$="/releases"]'),
    ]);
    assert.equal(new URL(page.url()).pathname, `/ui/s/${d(1).project}/releases`);
    const body = await page.$eval('main', (e) => e.textContent ?? '');
    assert.match(body, /#1/);
    assert.match(body, /succeeded/);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
      page.click(`a[href="/ui/s/${d(1).project}/"]`),
    ]);
    assert.equal(await page.$eval('[data-sync]', (e) => e.getAttribute('data-sync')), 'in-sync');
    assert.match(await page.$eval('main', (e) => e.textContent ?? ''), /stacks\/s1/);
  });
});
