import { strict as assert } from 'node:assert';
import { formatIssue } from '../../src/errors.ts';
import { buildkitUses, buildkitWarnings } from '../../src/formats/dockerfile-buildkit.ts';
import { loadDesiredState } from '../../src/formats/index.ts';
import { artifact, load, serviceDoc } from '../fixtures/manifests/helpers.ts';

const uses = (text: string) =>
  buildkitUses(text).map((u) => `${u.line}:${u.col} ${u.what}${u.ignored ? ' (ignored)' : ''}`);

describe('Dockerfile syntax only BuildKit has', () => {
  it('finds nothing in a Dockerfile the classic builder builds', () => {
    const text = [
      'FROM --platform=linux/amd64 base:1 AS b',
      '# a comment, then a line continued over a comment',
      'RUN echo "<<EOF" && cat <<< "here-string" \\',
      '# inside',
      '    && true',
      'COPY --from=b --chown=1:1 /a /b',
      'ADD --chown=app f /f',
      'ENV X=--mount',
      'CMD ["sh", "-c", "cat <<EOF"]',
      '',
    ].join('\n');
    assert.deepEqual(uses(text), []);
  });

  it('finds each use at its line and column, flags on continuation lines too', () => {
    const text = [
      '# syntax=docker/dockerfile:1.7',
      'FROM base:1',
      'RUN --mount=type=cache,target=/root/.cache \\',
      '    --network=none make',
      'COPY --link --chmod=755 app /app',
      'add --checksum=sha256:00 https://x/y /y',
      'COPY --chown=1 --parents a/b /c',
      '',
    ].join('\n');
    assert.deepEqual(uses(text), [
      '1:1 # syntax= (ignored)',
      '3:5 RUN --mount',
      '4:5 RUN --network',
      '5:6 COPY --link',
      '5:13 COPY --chmod',
      '6:5 ADD --checksum',
      '7:16 COPY --parents',
    ]);
  });

  it('heredocs: reported once per instruction, their bodies skipped (a body line is not an instruction)', () => {
    const text = [
      'FROM base:1',
      'RUN <<EOF',
      'RUN --mount=type=tmpfs,target=/x true',
      'EOF',
      'COPY <<-"A" /a <<B /b',
      '\tcontent',
      '\tA',
      'COPY --link x /x',
      'B',
      'RUN --security=insecure true',
      '',
    ].join('\n');
    assert.deepEqual(uses(text), ['2:5 RUN <<EOF', '5:6 COPY <<-"A"', '10:5 RUN --security']);
  });

  it('a # syntax= after another line is a comment; the escape directive changes the continuation', () => {
    assert.deepEqual(uses('FROM base:1\n# syntax=docker/dockerfile:1\n'), []);
    assert.deepEqual(uses('\n# syntax=docker/dockerfile:1\nFROM base:1\n'), []);
    const backtick = '# escape=`\nFROM base:1\nRUN echo a `\n  --mount=x\nRUN `\n  --mount=type=tmpfs,target=/t true\n';
    assert.deepEqual(uses(backtick), ['6:3 RUN --mount']);
  });

  it('compose: a warning per use at the Dockerfile, from the repo root, naming the services it builds', () => {
    const compose =
      'services:\n  web:\n    build: ./web\n  worker:\n    build: { context: ./web }\n  api:\n    build: { context: ., dockerfile: api.Dockerfile }\n  db:\n    image: db:1\n';
    const a = artifact(
      {
        'compose.yaml': compose,
        'web/Dockerfile': 'FROM base:1\nRUN <<EOF\necho hi\nEOF\n',
        'api.Dockerfile': 'FROM base:1\nCOPY . /src\n',
      },
      'stacks/shop',
    );
    assert.deepEqual(buildkitWarnings(loadDesiredState(a), a).map(formatIssue), [
      "stacks/shop/web/Dockerfile:2:5 RUN <<EOF needs BuildKit: bosun runs the build of web, worker on the engine's BuildKit; an engine without it, or whose Dockerfile frontend lacks it, fails it at apply, before anything is replaced",
    ]);
  });

  it('bosun/v1: spec.build with its dockerfile; a # syntax= directive is a milder warning', () => {
    const files = {
      'web.yaml': serviceDoc('web', '  build: { context: web, dockerfile: build/Dockerfile }\n'),
      'web/build/Dockerfile': '# syntax=docker/dockerfile:1\nFROM base:1\nCOPY --link . /app\n',
    };
    const a = artifact({ 'bosun.yaml': 'apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: shop\n', ...files });
    assert.deepEqual(buildkitWarnings(load(files), a).map(formatIssue), [
      "web/build/Dockerfile:1:1 # syntax= is BuildKit's: the classic builder ignores it; where other syntax makes bosun build with BuildKit, the engine fetches that frontend (the build of web)",
      "web/build/Dockerfile:3:6 COPY --link needs BuildKit: bosun runs the build of web on the engine's BuildKit; an engine without it, or whose Dockerfile frontend lacks it, fails it at apply, before anything is replaced",
    ]);
  });
});
