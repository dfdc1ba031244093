/**
 * What every DesiredStateFormat must do for the rest of bosun to work unchanged: the registry
 * trusts `recognises`, the controller caches `load` by tree, the CLI prints each issue as
 * `file:line:col`, and `releases` trusts `projectName` on a broken repo.
 */
import { strict as assert } from 'node:assert';
import { ManifestError, type ManifestIssue } from '../../src/errors.ts';
import type { DesiredStateFormat } from '../../src/formats/format.ts';
import type { Artifact } from '../../src/ports.ts';
import { artifact, type Files } from '../fixtures/manifests/helpers.ts';

export interface FormatExamples {
  /** a valid repo in the format, naming its project `project` */
  valid: Files;
  project: string;
  /** a repo in the format that does not load, but still names `project` */
  broken: Files;
  /** one file of `valid` that belongs to the format, to be left unread as too large */
  ownFile: string;
  /** a repo of files that are not the format's (another tool's, or another format's) */
  foreign: Files;
}

/** Where issues that belong to no single file go (a missing project name, say). */
const ROOT_FILE = '<root>';

function loadError(format: DesiredStateFormat, a: Artifact): ManifestError {
  try {
    format.load(a, {});
  } catch (err) {
    assert.ok(err instanceof ManifestError, `expected a ManifestError, got ${String(err)}`);
    assert.equal(err.code, 'E_MANIFEST_INVALID');
    assert.equal(err.disposition, 'stalled');
    return err;
  }
  assert.fail(`${format.name} loaded a repo it should refuse`);
}

function assertLocated(issue: ManifestIssue, repoFiles: Set<string>): void {
  const where = JSON.stringify(issue);
  assert.ok(
    repoFiles.has(issue.file) || issue.file === ROOT_FILE,
    `${where}: not a file of the repo, named from its root`,
  );
  assert.ok(Number.isInteger(issue.line) && issue.line >= 1, `${where}: line`);
  assert.ok(Number.isInteger(issue.col) && issue.col >= 1, `${where}: col`);
  assert.ok(issue.message.trim() !== '', `${where}: message`);
}

export function formatContract(format: DesiredStateFormat, ex: FormatExamples): void {
  describe(`format contract: ${format.name}`, () => {
    it('recognises its own example, and neither foreign files nor an empty repo', () => {
      assert.equal(format.recognises(artifact(ex.valid)), true);
      assert.equal(format.recognises(artifact(ex.foreign)), false);
      assert.equal(format.recognises(artifact({})), false);
    });

    it('loads its example as the project projectName names, and --project overrides the name', () => {
      const a = artifact(ex.valid);
      assert.equal(format.projectName(a), ex.project);
      assert.equal(format.load(a, {}).project.name, ex.project);
      assert.equal(format.load(a, { project: 'other' }).project.name, 'other');
    });

    it('is pure: the same artifact loads to the same state, and is left as it was', () => {
      const a = artifact(ex.valid);
      const keys = [...a.files.keys()];
      assert.deepEqual(format.load(a, {}), format.load(a, {}));
      assert.deepEqual([...a.files.keys()], keys);
    });

    it('refuses a broken repo with a ManifestError whose every issue is located in a file of the repo', () => {
      const a = artifact(ex.broken, 'deploy');
      const err = loadError(format, a);
      assert.ok(err.issues.length > 0);
      const repoFiles = new Set([...a.files.keys()].map((rel) => `deploy/${rel}`));
      for (const issue of err.issues) assertLocated(issue, repoFiles);
      assert.ok(
        err.issues.some((i) => i.file !== ROOT_FILE),
        'no issue points into a file',
      );
    });

    it('still names the project of a broken repo', () => {
      assert.equal(format.projectName(artifact(ex.broken)), ex.project);
    });

    it('recognises and refuses a repo whose own file was too large to read, naming that file', () => {
      const a = artifact(ex.valid, 'deploy');
      a.files.delete(ex.ownFile);
      a.skipped = [{ path: ex.ownFile, bytes: 11 * 1024 * 1024 }];
      assert.equal(format.recognises(a), true);
      const err = loadError(format, a);
      assert.ok(
        err.issues.some((i) => i.file === `deploy/${ex.ownFile}`),
        JSON.stringify(err.issues),
      );
    });
  });
}
