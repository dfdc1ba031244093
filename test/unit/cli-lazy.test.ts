/**
 * `bosun --version` and `--help` must start like a native tool: they load commander and the verb
 * table (src/cli/verbs/), nothing a verb runs. Every module the process loads is logged by a
 * loader hook (test/fixtures/module-log/), so an import added anywhere on that path fails here.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  committedRepo,
  copyExample,
  MODES,
  modulesLoaded,
  modulesLoadedBy,
  ownModules,
  packagesIn,
  ROOT,
} from '../helpers/module-log.ts';

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
  // nor, for a repo without age values, age and its ciphers; nor the git cache's lock of a remote
  'age-encryption',
  '@noble/ciphers',
  '@noble/curves',
  '@noble/post-quantum',
  'proper-lockfile',
];

/** bosun's own code validate never runs: the state stores, the records' sealer, age. */
const OWN_NOT_FOR_VALIDATE = [/\/store\/(open|file|etcd|cas)\b/, /\/trust\/(sealer|key-marker)\./, /\/secrets\/age\./];

function heavyIn(modules: string[], libs = HEAVY): string[] {
  return packagesIn(modules, libs);
}

function ownOutsideParser(modules: string[]): string[] {
  return ownModules(modules).filter((m) => !ALLOWED_OWN.some((re) => re.test(m)));
}

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
      const out = { code: -1, stdout: '', stderr: '' };
      const modules = await modulesLoaded(['validate', '--repo', example, '--path', 'cluster-repo'], env, out);
      assert.match(out.stdout, /^valid: project demo/);
      assert.ok(heavyIn(modules).includes('isomorphic-git'), 'the log must show the repo being read');
      assert.deepEqual(heavyIn(modules, NOT_FOR_VALIDATE), []);
      assert.deepEqual(
        ownModules(modules).filter((m) => OWN_NOT_FOR_VALIDATE.some((re) => re.test(m))),
        [],
      );
    });
  }

  it("the engine's client loads without docker-modem's ssh transport (bosun's ssh:// goes through the system ssh)", async () => {
    const connect = path.join(ROOT, 'src/backends/docker/connect.ts');
    const code = `const { connectDocker } = await import(${JSON.stringify(connect)}); connectDocker('unix:///var/run/docker.sock');`;
    const modules = await modulesLoadedBy(['--import', 'tsx', '--input-type=module', '-e', code], {}, undefined);
    assert.deepEqual(packagesIn(modules, ['dockerode', 'docker-modem']), ['dockerode', 'docker-modem']);
    assert.deepEqual(packagesIn(modules, ['ssh2', 'cpu-features', 'bcrypt-pbkdf']), []);
  });

  /** examples/cluster-repo committed to a repo of its own (a worktree's .git is only a link) */
  let example: string;
  before(async () => {
    example = await committedRepo((dir) => copyExample(dir, 'cluster-repo'));
  });
  after(() => rm(example, { recursive: true, force: true }));
});
