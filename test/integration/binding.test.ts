import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindingKey, readBinding } from '../../src/release/binding-record.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { startServe, status, waitFor } from '../helpers/serve.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

/** A Project named `project` with one idle service `service`. */
function stack(project: string, service: string, level: string, dir = ''): Record<string, string> {
  return {
    [`${dir}bosun.yaml`]: `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
    [`${dir}${service}.yaml`]: `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: ${service} }\nspec:\n  image: ${IMAGE_V1}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n  env: { LEVEL: ${level} }\n`,
  };
}

function refusal(project: string, bound: string, claimant: string): string {
  return `error: project "${project}" is bound to ${bound}; this source is ${claimant}: refusing (hand it over with --take-over-project ${project})\n`;
}

/** `http://127.0.0.1:1234/x.git` with credentials in it, as a token is often given. */
function withUserinfo(url: string, userinfo: string): string {
  return url.replace('http://', `http://${userinfo}@`);
}

const STORES = [
  { name: 'embedded', url: (tmp: string) => `file:${tmp}/state` },
  { name: 'etcd', url: () => ETCD_URL },
];

for (const store of STORES) {
  describe(`project binding on the ${store.name} store (integration: real Docker, git over HTTP, the real CLI)`, function () {
    this.timeout(240_000);
    let server: GitServer;
    const projects: string[] = [];
    const dirs: string[] = [];

    before(async () => {
      await ensureTestImages();
      if (store.name === 'etcd') await requireEtcd();
      server = await startGitServer();
    });
    after(async () => {
      for (const p of projects) await cleanupProject(p);
      if (store.name === 'etcd') await forgetProjects(projects);
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
      await server?.close();
    });

    async function setup(tag: string) {
      const project = uniqueProject(`bind-${tag}`);
      projects.push(project);
      const tmp = await mkdtemp(join(tmpdir(), 'bind-'));
      dirs.push(tmp);
      const state = store.url(tmp);
      return { project, state, flags: ['--state', state, '--cache-dir', `${tmp}/cache`], tmp };
    }

    it('refuses a second repo naming the project, with both named and nothing touched; the same repo at a new commit or with credentials is fine; --take-over-project hands it over', async () => {
      const { project, state, flags } = await setup(store.name.slice(0, 4));
      const a = await server.createRepo(`bind-a-${project}`, stack(project, 'web', 'one'));
      const b = await server.createRepo(`bind-b-${project}`, stack(project, 'api', 'one'));
      const first = await bosun(['reconcile', '--repo', a.url, ...flags]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, new RegExp(`! project "${project}" bound to ${a.url} path /\\n`));
      const running = await containerIds(project);
      assert.deepEqual(Object.keys(running), ['web']);

      for (const extra of [[], ['--dry-run']]) {
        const refused = await bosun(['reconcile', '--repo', b.url, ...extra, ...flags]);
        assert.equal(refused.code, 1, refused.stdout);
        assert.equal(refused.stderr, refusal(project, `${a.url} path /`, `${b.url} path /`));
        assert.equal(refused.stdout, '', 'nothing planned');
      }
      assert.deepEqual(await containerIds(project), running, "the first project's containers are untouched");
      const st = await bosun(['status', '--repo', b.url, ...flags]);
      assert.equal(st.code, 0, st.stderr);
      assert.match(st.stdout, new RegExp(`  bound to:  ${a.url} path / \\(since `));
      assert.match(
        st.stdout,
        new RegExp(`  git: +project "${project}" is bound to ${a.url} path /; this source is ${b.url}`),
      );

      await a.commit(stack(project, 'web', 'two'));
      const moved = await bosun(['reconcile', '--repo', a.url, ...flags]);
      assert.equal(moved.code, 0, moved.stderr);
      assert.match(moved.stdout, /release 2 succeeded/);
      assert.doesNotMatch(moved.stdout, /bound to/, 'the binding is written once');
      const second = await containerIds(project);

      for (const [url, env] of [
        [withUserinfo(a.url, 'bosun:s3cret-token'), {}],
        [withUserinfo(a.url, 'ghp_0123456789abcdef'), {}],
        [`${a.url}/`, { BOSUN_GIT_TOKEN: 'another-token' }],
      ] as const) {
        const same = await bosun(['reconcile', '--repo', url, ...flags], env);
        assert.equal(same.code, 0, `${url}: ${same.stderr}`);
        assert.match(same.stdout, /no changes/i);
      }
      assert.deepEqual(await containerIds(project), second);

      const wrong = await bosun(['reconcile', '--repo', b.url, '--take-over-project', `${project}-other`, ...flags]);
      assert.equal(wrong.code, 1);
      assert.equal(
        wrong.stderr,
        `error: --take-over-project ${project}-other does not name this project: the repo's project is "${project}"\n`,
      );
      assert.deepEqual(await containerIds(project), second);

      const taken = await bosun(['reconcile', '--repo', b.url, '--take-over-project', project, ...flags]);
      assert.equal(taken.code, 0, taken.stderr);
      assert.match(
        taken.stdout,
        new RegExp(
          `! project "${project}" taken over from ${a.url} path / by ${b.url} path / \\(--take-over-project ${project}\\)`,
        ),
      );
      assert.deepEqual(Object.keys(await containerIds(project)), ['api']);
      const shown = await bosun(['releases', 'show', '3', '--project', project, '-o', 'json', ...flags]);
      assert.deepEqual(JSON.parse(shown.stdout).binding, {
        reason: 'takeover',
        source: { repo: b.url, path: '' },
        from: { repo: a.url, path: '' },
        via: 'flag',
      });
      const text = await bosun(['releases', 'show', '3', '--project', project, ...flags]);
      assert.match(text.stdout, new RegExp(`binding: +taken over from ${a.url} path / by ${b.url} path /`));

      const back = await bosun(['reconcile', '--repo', a.url, ...flags]);
      assert.equal(back.code, 1);
      assert.equal(back.stderr, refusal(project, `${b.url} path /`, `${a.url} path /`));
      const kv = await openStore(state);
      try {
        const { binding } = await readBinding(kv, project);
        assert.equal(binding?.repo, b.url);
        assert.equal(binding?.reason, 'takeover');
        assert.deepEqual(binding?.from, { repo: a.url, path: '' });
      } finally {
        await kv.close();
      }
    });

    it('two paths of one repo: the second is refused, a saved plan of it too; an unbound project with releases binds to the first source that applies', async () => {
      const { project, state, flags, tmp } = await setup(`${store.name.slice(0, 4)}p`);
      const repo = await server.createRepo(`bind-p-${project}`, {
        ...stack(project, 'web', 'one', 'stacks/a/'),
        ...stack(project, 'api', 'one', 'stacks/b/'),
      });
      const planFile = join(tmp, 'plan.json');
      const saved = await bosun([
        'reconcile',
        '--repo',
        repo.url,
        '--path',
        'stacks/b',
        '--dry-run',
        '--out',
        planFile,
        ...flags,
      ]);
      assert.equal(saved.code, 0, saved.stderr);
      assert.equal(await bindingValue(state, project), undefined, 'a dry run binds nothing');

      const first = await bosun(['reconcile', '--repo', repo.url, '--path', 'stacks/a', ...flags]);
      assert.equal(first.code, 0, first.stderr);
      const running = await containerIds(project);
      const a = `${repo.url} path stacks/a`;
      const b = `${repo.url} path stacks/b`;
      const refused = await bosun(['reconcile', '--repo', repo.url, '--path', 'stacks/b/', ...flags]);
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr, refusal(project, a, b));
      const applied = await bosun(['apply', planFile, '--repo', repo.url, '--path', 'stacks/b', ...flags]);
      assert.equal(applied.code, 1);
      assert.equal(applied.stderr, refusal(project, a, b));
      assert.deepEqual(await containerIds(project), running);

      // a project applied before bindings existed: the first source to run binds it, and says so
      await forgetBinding(state, project);
      const upgraded = await bosun(['reconcile', '--repo', repo.url, '--path', './stacks/a', ...flags]);
      assert.equal(upgraded.code, 0, upgraded.stderr);
      assert.match(upgraded.stdout, new RegExp(`! project "${project}" had releases but no binding: bound to ${a}\\n`));
      assert.match(upgraded.stdout, /no changes/i);
      assert.equal(JSON.parse((await bindingValue(state, project))!).reason, 'upgrade');
      const again = await bosun(['reconcile', '--repo', repo.url, '--path', 'stacks/b', ...flags]);
      assert.equal(again.stderr, refusal(project, a, b));
      assert.deepEqual(await containerIds(project), running);

      // a stack taken down stays bound: the other path cannot bring up its own services in its place
      const down = await bosun(['down', '--project', project, ...flags]);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(await containerIds(project), {});
      const afterDown = await bosun(['reconcile', '--repo', repo.url, '--path', 'stacks/b', ...flags]);
      assert.equal(afterDown.stderr, refusal(project, a, b));
      assert.deepEqual(await containerIds(project), {});
    });
  });
}

describe('project binding under bosun serve (integration: real Docker, git over HTTP, embedded store)', function () {
  this.timeout(240_000);
  let server: GitServer;
  let project: string;
  let tmp: string;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    project = uniqueProject('bind-serve');
    tmp = await mkdtemp(join(tmpdir(), 'bind-serve-'));
  });
  after(async () => {
    await cleanupProject(project);
    await rm(tmp, { recursive: true, force: true });
    await server?.close();
  });

  it('a serve of another repo is refused (E_PROJECT_BOUND, stalled) and changes nothing; with --take-over-project it converges', async () => {
    const flags = ['--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`, '--poll', '0 0 1 1 *'];
    const a = await server.createRepo(`bind-sa-${project}`, stack(project, 'web', 'one'));
    const b = await server.createRepo(`bind-sb-${project}`, stack(project, 'api', 'one'));
    const first = await bosun(['reconcile', '--repo', a.url, ...flags.slice(0, 4)]);
    assert.equal(first.code, 0, first.stderr);
    const running = await containerIds(project);

    const refused = await startServe(['--repo', b.url, ...flags]);
    try {
      const error = await waitFor(
        'the refused pass',
        async () => (await status(refused)).lastAttempt?.error,
        60_000,
        refused,
      );
      assert.equal(error.code, 'E_PROJECT_BOUND');
      assert.equal(error.message, refusal(project, `${a.url} path /`, `${b.url} path /`).slice('error: '.length, -1));
      assert.deepEqual(await containerIds(project), running);
    } finally {
      await refused.stop();
    }

    const taking = await startServe(['--repo', b.url, '--take-over-project', project, ...flags]);
    try {
      // `applied` is set at start from the release in force (the first repo's): wait for this pass
      const applied = async () => ((await status(taking)).lastAttempt?.result === 'applied' ? true : undefined);
      await waitFor('the takeover applied', applied, 60_000, taking);
      assert.deepEqual(Object.keys(await containerIds(project)), ['api']);
      const logged = taking.logs.some((l) => String(l.msg).includes(`taken over from ${a.url} path /`));
      assert.ok(logged, 'the takeover is logged');
    } finally {
      await taking.stop();
    }
  });
});

async function bindingValue(state: string, project: string): Promise<string | undefined> {
  const kv = await openStore(state);
  try {
    return (await kv.get(bindingKey(project)))?.value;
  } finally {
    await kv.close();
  }
}

async function forgetBinding(state: string, project: string): Promise<void> {
  const kv = await openStore(state);
  try {
    await kv.delete(bindingKey(project));
  } finally {
    await kv.close();
  }
}

/** Only this suite's keys: every test project has its own prefix. */
async function forgetProjects(projects: string[]): Promise<void> {
  const kv = await openStore(ETCD_URL);
  try {
    for (const p of projects) for (const e of await kv.list(`/bosun/${p}/`)) await kv.delete(e.key);
  } finally {
    await kv.close();
  }
}
