/**
 * `bosun --version` and `--help` must start like a native tool: they load commander and the verb
 * table (src/cli/verbs/), nothing a verb runs. Every module the process loads is logged by a
 * loader hook (test/fixtures/module-log/), so an import added anywhere on that path fails here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/bosun.js');
const PRELOAD = path.join(ROOT, 'test/fixtures/module-log/preload.mjs');

/** The libraries a verb may need and `--version` never does. */
const HEAVY = [
  'isomorphic-git',
  'dockerode',
  'docker-modem',
  'etcd3',
  '@grpc',
  'ajv',
  'yaml',
  'pino',
  'prom-client',
  'openpgp',
  'age-encryption',
  'lmdb',
  'node-cron',
  'tar-stream',
  'diff',
];

/** Files of bosun itself the parser may load: the program, the flags and the verb table. */
const ALLOWED_OWN = [
  /\/cli\/main\.[jt]s$/,
  /\/cli\/flags\.[jt]s$/,
  /\/cli\/verbs\//,
  /\/server\/(defaults|limits|body)\.[jt]s$/,
  /\/stacks\/defaults\.[jt]s$/,
  /\/server\/webhook\/(verify|rate-limit)\.[jt]s$/,
];

/** What validate never needs: the engine's client, the state stores' clients, serve's libraries. */
const NOT_FOR_VALIDATE = [
  'dockerode',
  'docker-modem',
  'ssh2',
  'tar-stream',
  'etcd3',
  '@grpc',
  'lmdb',
  'openpgp',
  'node-cron',
  'pino',
  'prom-client',
];

async function modulesLoaded(args: string[], env: Record<string, string> = {}, out?: { stdout: string }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'bosun-module-log-'));
  const log = path.join(dir, 'modules.txt');
  try {
    const done = await run(process.execPath, ['--import', PRELOAD, BIN, ...args], {
      env: { ...process.env, ...env, MODULE_LOG: log },
    }).catch((err: { code?: number; stdout?: string }) => {
      if (typeof err.code !== 'number') throw err; // a verb that fails still loaded its modules
      return { stdout: err.stdout ?? '' };
    });
    if (out) out.stdout = done.stdout;
    return [...new Set((await readFile(log, 'utf8')).split('\n').filter(Boolean))];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function heavyIn(modules: string[], libs = HEAVY): string[] {
  return libs.filter((lib) => modules.some((m) => m.includes(`/node_modules/${lib}/`)));
}

function ownOutsideParser(modules: string[]): string[] {
  const own = modules.filter((m) => (m.includes('/src/') || m.includes('/dist/')) && !m.includes('/node_modules/'));
  return own.filter((m) => !ALLOWED_OWN.some((re) => re.test(m)));
}

/** Sources always; the build too when bin/bosun.js would run it (test/helpers/fresh-build.ts). */
const MODES: [string, Record<string, string>][] = [['sources', { BOSUN_FROM_SOURCES: '1' }]];
if (process.env.BOSUN_FROM_SOURCES !== '1') MODES.push(['bin/bosun.js as is', {}]);

describe('CLI start-up loads only the parser', function () {
  this.timeout(120_000);

  for (const [mode, env] of MODES) {
    for (const args of [['--version'], ['--help'], ['reconcile', '--help'], ['serve', '--help']]) {
      it(`${args.join(' ')} (${mode}) loads no verb code and no heavy library`, async () => {
        const modules = await modulesLoaded(args, env);
        assert.ok(
          modules.some((m) => m.includes('/node_modules/commander/')),
          'the log must show commander',
        );
        assert.deepEqual(heavyIn(modules), []);
        assert.deepEqual(ownOutsideParser(modules), []);
      });
    }

    it(`a verb (${mode}) loads what it runs: the log sees the heavy libraries`, async () => {
      const modules = await modulesLoaded(['validate', '--repo', path.join(tmpdir(), 'bosun-no-such-repo')], env);
      assert.ok(heavyIn(modules).includes('yaml'), `yaml among ${heavyIn(modules).join(', ')}`);
      assert.ok(ownOutsideParser(modules).some((m) => /\/cli\/validate\.[jt]s$/.test(m)));
    });

    it(`validate of a local repo (${mode}) loads no engine, store or server library`, async () => {
      const out = { stdout: '' };
      const modules = await modulesLoaded(['validate', '--repo', example, '--path', 'cluster-repo'], env, out);
      assert.match(out.stdout, /^valid: project demo/);
      assert.ok(heavyIn(modules).includes('isomorphic-git'), 'the log must show the repo being read');
      assert.deepEqual(heavyIn(modules, NOT_FOR_VALIDATE), []);
    });
  }

  /** examples/cluster-repo committed to a repo of its own (a worktree's .git is only a link) */
  let example: string;
  before(async () => {
    example = await mkdtemp(path.join(tmpdir(), 'bosun-lazy-repo-'));
    await cp(path.join(ROOT, 'examples/cluster-repo'), path.join(example, 'cluster-repo'), { recursive: true });
    const git = (...args: string[]) =>
      run('git', ['-c', 'user.name=t', '-c', 'user.email=t@bosun.invalid', ...args], { cwd: example });
    await git('init', '--quiet');
    await git('add', '-A');
    await git('commit', '--quiet', '-m', 'example');
  });
  after(() => rm(example, { recursive: true, force: true }));
});
