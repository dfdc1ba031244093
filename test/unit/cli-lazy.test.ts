/**
 * `bosun --version` and `--help` must start like a native tool: they load commander and the verb
 * table (src/cli/verbs/), nothing a verb runs. Every module the process loads is logged by a
 * loader hook (test/fixtures/module-log/), so an import added anywhere on that path fails here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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

async function modulesLoaded(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'bosun-module-log-'));
  const log = path.join(dir, 'modules.txt');
  try {
    await run(process.execPath, ['--import', PRELOAD, BIN, ...args], {
      env: { ...process.env, ...env, MODULE_LOG: log },
    }).catch((err: { code?: number }) => {
      if (typeof err.code !== 'number') throw err; // a verb that fails still loaded its modules
    });
    return [...new Set((await readFile(log, 'utf8')).split('\n').filter(Boolean))];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function heavyIn(modules: string[]): string[] {
  return HEAVY.filter((lib) => modules.some((m) => m.includes(`/node_modules/${lib}/`)));
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
  }
});
