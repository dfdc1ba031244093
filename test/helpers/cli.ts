import { execFile } from 'node:child_process';
import path from 'node:path';
import { TEST_STATE_KEY_FILE } from './state-key.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/bosun.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `bosun` binary in a child process, so exit codes and streams are the user's. */
export function bosun(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: { ...process.env, NO_COLOR: '1', BOSUN_DEBUG: '', BOSUN_STATE_KEY_FILE: TEST_STATE_KEY_FILE, ...env },
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}
