import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindingKey } from '../../src/release/binding-record.ts';
import type { Binding } from '../../src/release/binding.ts';
import { openStore } from '../../src/store/open.ts';
import { bindingValue, forgetBinding, forgetProjects, refusal, stack, withUserinfo } from '../helpers/binding.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';

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
        // read, not verified: the CLI holds the state key
        const binding = JSON.parse((await kv.get(bindingKey(project)))?.value ?? '{}').record as Binding | undefined;
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
