/**
 * Loaded by mocha before any test (.mocharc.json "require"). bin/bosun.js runs dist/ whenever
 * there is a build, without comparing it with the sources (that walk cost every start ~10–40 ms).
 * The comparison is made here, once per test run: when any file under src/ or schemas/ is newer
 * than the build, every CLI the tests spawn runs the sources instead (BOSUN_FROM_SOURCES=1, which
 * children inherit), as bin/bosun.js used to decide by itself. It also generates the standalone
 * schema validators for the sources (src/generated/, not committed) when they are missing or
 * stale, so the tests run the same generated code as the build.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeGenerated } from '../../src/validators/generate.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * src/generated/ is left out: this file writes it after the comparison, so counting it made every
 * run after the first in a fresh worktree run the sources (~45 MB more per CLI process, enough to
 * fail source-big-blob's 150 MB bound); the schemas it derives from are counted.
 */
function newestSource(): number {
  let newest = 0;
  for (const dir of ['src', 'schemas']) {
    for (const name of readdirSync(path.join(ROOT, dir), { recursive: true })) {
      if (dir === 'src' && String(name).split(path.sep)[0] === 'generated') continue;
      newest = Math.max(newest, statSync(path.join(ROOT, dir, String(name))).mtimeMs);
    }
  }
  return newest;
}

function buildTime(): number {
  try {
    return statSync(path.join(ROOT, 'dist', '.stamp')).mtimeMs;
  } catch {
    return -1; // no build: bin/bosun.js runs the sources anyway
  }
}

const built = buildTime();
if (built >= 0 && built < newestSource()) {
  process.env.BOSUN_FROM_SOURCES = '1';
  process.stderr.write('dist/ is older than the sources: the CLI runs from src/ in these tests (npm run build)\n');
}

writeGenerated(path.join(ROOT, 'src', 'generated'));
