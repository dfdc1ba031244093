/**
 * The acceptance corpus: realistic compose stacks, each loaded as a reconcile would load it
 * (the folder is `--path stacks/<name>` of a repo) and planned against an empty engine.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { plan } from '../../src/backends/docker/plan/plan.ts';
import { formatIssue, ManifestError } from '../../src/errors.ts';
import { formatOf, loadDesiredState } from '../../src/formats/index.ts';
import type { Artifact } from '../../src/ports.ts';
import { renderText } from '../../src/render/render.ts';
import { emptyObserved } from '../helpers/model.ts';

const ROOT = path.resolve(import.meta.dirname, '../fixtures/compose');

function walk(dir: string, base = ''): [string, Uint8Array][] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    const rel = base ? `${base}/${n}` : n;
    return statSync(p).isDirectory() ? walk(p, rel) : [[rel, readFileSync(p)] as [string, Uint8Array]];
  });
}

function stack(name: string): Artifact {
  return {
    repo: 'r',
    ref: 'main',
    revision: 'c'.repeat(40),
    path: `stacks/${name}`,
    files: new Map(walk(path.join(ROOT, name))),
  };
}

/** containers (services × replicas, counted from the files by hand) and services built */
const EXPECTED: Record<string, [containers: number, builds: number]> = {
  'anchors-x': [2, 0],
  'build-and-config': [3, 1],
  'build-args-target': [1, 1],
  'build-multi': [3, 2],
  'build-simple': [1, 1],
  'command-strings': [2, 0],
  'container-name': [1, 0],
  'docker-compose-yml': [2, 0],
  'dockerignore-build': [1, 1],
  'dotenv-interp': [1, 0],
  'env-file': [1, 0],
  'extends-other-file': [2, 0],
  'extends-same-file': [3, 0],
  'healthcheck-gated': [3, 0],
  'host-network': [2, 0],
  'ipam-static': [2, 0],
  'logging-options': [1, 0],
  monitoring: [3, 0],
  'multi-network': [3, 0],
  'named-volumes': [1, 0],
  'nginx-proxy': [2, 0],
  'override-files': [2, 0],
  'ports-variety': [1, 0],
  profiles: [1, 0],
  'queue-workers': [6, 0],
  'replicas-scale': [4, 0],
  'resources-limits': [3, 0],
  'restart-policies': [3, 0],
  'secrets-configs': [1, 0],
  'static-site': [1, 0],
  'traefik-labels': [3, 0],
  'volumes-long': [1, 0],
  'web-db-cache': [4, 0],
  'wordpress-like': [2, 0],
};

const CTX = { repo: 'r', ref: 'main', revision: 'c'.repeat(40) };

function dryRun(name: string): string {
  const desired = loadDesiredState(stack(name));
  return renderText(plan(desired, emptyObserved(), CTX), { color: false });
}

describe('compose corpus: realistic stacks', () => {
  const names = readdirSync(ROOT).sort();

  it('holds at least 30 stacks, each with an expectation', () => {
    assert.ok(names.length >= 30, `${names.length} stacks`);
    assert.deepEqual(names, Object.keys(EXPECTED).sort());
  });

  for (const name of names) {
    it(`${name}: validates, plans services × replicas and one build per built service, stably`, () => {
      const a = stack(name);
      assert.equal(formatOf(a).name, 'compose');
      let desired: ReturnType<typeof loadDesiredState>;
      try {
        desired = loadDesiredState(a);
      } catch (err) {
        if (err instanceof ManifestError) assert.fail(err.issues.map(formatIssue).join('\n'));
        throw err;
      }
      const [containers, builds] = EXPECTED[name]!;
      const p = plan(desired, emptyObserved(), CTX);
      const creates = p.operations.filter((o) => o.kind === 'create-container');
      assert.equal(creates.length, containers);
      const perService = desired.services.map((s) => [s.name, s.replicas]);
      assert.equal(
        perService.reduce((sum, [, r]) => sum + (r as number), 0),
        containers,
      );
      const buildOps = p.operations.filter((o) => (o.kind as string) === 'build-image');
      assert.equal(desired.services.filter((s) => s.build).length, builds);
      if (buildOps.length > 0 || builds === 0) assert.equal(buildOps.length, builds);
      assert.equal(dryRun(name), dryRun(name));
    });
  }
});

describe('compose corpus: mapping refusals located in the stack', () => {
  function issues(files: Record<string, string>): string[] {
    const a: Artifact = {
      repo: 'r',
      ref: 'main',
      revision: 'c'.repeat(40),
      path: 'stacks/bad',
      files: new Map(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)])),
    };
    try {
      loadDesiredState(a);
    } catch (err) {
      assert.ok(err instanceof ManifestError, String(err));
      return err.issues.map(formatIssue);
    }
    assert.fail('expected a ManifestError');
  }

  it('container_name with replicas, env_file outside the folder, a missing config file', () => {
    const compose = [
      'services:',
      '  web:',
      '    image: bosun-test/busybox:1',
      '    container_name: web',
      '    scale: 2',
      '    env_file: ../shared.env',
      '    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]',
      '',
    ].join('\n');
    const found = issues({ 'compose.yaml': compose });
    assert.equal(found.length, 3, found.join('\n'));
    assert.match(
      found[0]!,
      /^stacks\/bad\/compose\.yaml:4:\d+ services\.web\.container_name: a fixed container name allows one replica, not 2$/,
    );
    assert.match(
      found[1]!,
      /^stacks\/bad\/compose\.yaml:6:\d+ services\.web\.env_file: "\.\.\/shared\.env" is outside the stack's folder/,
    );
    assert.match(
      found[2]!,
      /^stacks\/bad\/compose\.yaml:7:\d+ services\.web\.volumes\[0\]: no file or folder "nginx\.conf"/,
    );
  });
});
