import { Command, CommanderError } from 'commander';
import type { Runner } from './flags.ts';
import { VERBS } from './verbs/index.ts';

/**
 * The program with every verb; each verb's code is imported when it runs (src/cli/verbs/), so
 * `--version` and `--help` load only commander.
 */
export function buildProgram(setCode: (code: number) => void): Command {
  const program = new Command('bosun')
    .description('GitOps for Docker hosts: converge containers and etcd keys to a Git repository')
    .version('0.1.0')
    .exitOverride()
    .enablePositionalOptions()
    .showHelpAfterError();
  const run: Runner =
    (load) =>
    async (...args) =>
      setCode(await (await load())(...args));
  for (const register of VERBS) register(program, run);
  return program;
}

/** Returns the exit code instead of exiting, so tests and the server can call it. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    // the error reporter loads errors.ts: not needed until something fails
    return (await import('./report.ts')).reportError(err);
  }
}
