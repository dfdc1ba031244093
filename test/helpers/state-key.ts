/**
 * One state key file for the test run: spawned CLIs and serve processes get it through
 * BOSUN_STATE_KEY_FILE (test/helpers/cli.ts, serve.ts), and in-process sessions seal and digest
 * with the same key, so records and spec hashes agree across the two. Tests of the key file
 * itself (its default place, its creation) pass their own BOSUN_STATE_KEY_FILE.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useDigestKey } from '../../src/model/digest.ts';
import { RecordSealer } from '../../src/trust/sealer.ts';
import { loadOrCreateStateKey } from '../../src/trust/state-key.ts';

/**
 * Created on first use like a controller's, in a temp folder; child processes of the test run
 * (which import this helper too) inherit it through BOSUN_TEST_STATE_KEY_FILE.
 */
export const TEST_STATE_KEY_FILE = process.env.BOSUN_TEST_STATE_KEY_FILE || newKeyPath();
process.env.BOSUN_TEST_STATE_KEY_FILE = TEST_STATE_KEY_FILE;

function newKeyPath(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bosun-test-key-'));
  chmodSync(dir, 0o700);
  return path.join(dir, 'state.key');
}

const loaded = loadOrCreateStateKey(TEST_STATE_KEY_FILE);
useDigestKey(loaded.key.digest);

/** A sealer holding the test run's key (a new one each call, so listeners stay per test). */
export function testSealer(): RecordSealer {
  return new RecordSealer(loaded.key);
}

/** A sealer holding a key of its own: records it reads from the test key are "another key". */
export function otherSealer(): RecordSealer {
  const other = mkdtempSync(path.join(os.tmpdir(), 'bosun-other-key-'));
  return new RecordSealer(loadOrCreateStateKey(path.join(other, 'state.key')).key);
}
