import { Command, CommanderError, Option } from 'commander';
import { REFUSE_FORCE_PUSH, TAKE_OVER_PROJECT } from './context.ts';
import { reportError } from './report.ts';
import { reconcileCommand } from './reconcile.ts';
import { releaseShowCommand, releasesCommand } from './releases.ts';
import { validateCommand } from './validate.ts';
import { applyCommand, resumeCommand, rollbackCommand } from './lifecycle.ts';
import { statusCommand } from './status.ts';
import { defineServe, serveCommand } from './serve.ts';
import { downCommand } from './down.ts';
import { defineSecret } from './secret.ts';
import { policyCheckCommand } from './policy.ts';
import { convertCommand } from './convert.ts';
import { stackOptions } from './stack-flags.ts';

/** Options shared by every verb; each also has an environment variable (see README). */
function withCommon(cmd: Command): Command {
  return cmd
    .option('--repo <path-or-url>', 'git repository: local path or http(s) URL [BOSUN_REPO, default .]')
    .option('--ref <ref>', 'branch, tag or commit [BOSUN_REF, default HEAD]')
    .option('--path <dir>', 'folder inside the repo that holds the manifests [BOSUN_PATH]')
    .option('--project <name>', 'project name, overriding the Project manifest [BOSUN_PROJECT]')
    .option(
      '--state <url>',
      'state store: etcd://host:port[,host:port], over TLS etcds://host:port[,host:port], or file:<path> [BOSUN_STATE, default file:.bosun/state]',
    )
    .option(
      '--state-key-file <file>',
      'key that seals the records bosun acts on; created on first use, the same file on every controller [BOSUN_STATE_KEY_FILE, default .bosun/state.key beside the embedded store, or in the working directory with etcd]',
    )
    .option('--etcd-cacert <file>', 'CA certificate(s) that sign the etcd server certificate (PEM) [BOSUN_ETCD_CACERT]')
    .option('--etcd-cert <file>', 'client certificate for etcd (PEM) [BOSUN_ETCD_CERT]')
    .option('--etcd-key <file>', 'key of --etcd-cert (PEM) [BOSUN_ETCD_KEY]')
    .option(
      '--etcd-user <name>',
      'etcd user; its password in BOSUN_ETCD_PASSWORD or --etcd-password-file [BOSUN_ETCD_USER]',
    )
    .option('--etcd-password-file <file>', 'file holding the etcd password [BOSUN_ETCD_PASSWORD_FILE]')
    .option(
      '--docker-host <url>',
      'Docker engine: unix:///path, tcp://host:port or ssh://user@host [DOCKER_HOST, default unix:///var/run/docker.sock]',
    )
    .option('--docker-tls', 'TLS to a tcp:// engine without verifying it, as docker --tls [DOCKER_TLS]')
    .option(
      '--docker-tlsverify',
      'TLS to a tcp:// engine, its certificate checked against the CA, as docker --tlsverify [DOCKER_TLS_VERIFY]',
    )
    .option(
      '--docker-tlscacert <file>',
      'CA that signed the engine certificate [DOCKER_CERT_PATH/ca.pem, default ~/.docker]',
    )
    .option('--docker-tlscert <file>', 'client certificate for the engine [DOCKER_CERT_PATH/cert.pem]')
    .option('--docker-tlskey <file>', 'client key for the engine [DOCKER_CERT_PATH/key.pem]')
    .option('--cache-dir <dir>', 'where fetched repositories are cached [BOSUN_CACHE]')
    .option(
      '--lock-timeout <seconds>',
      'how long to wait while another apply of the project runs [BOSUN_LOCK_TIMEOUT, default 60]',
    )
    .option('--age-identity <file>', 'age identity file that decrypts age values in Configs [BOSUN_AGE_IDENTITY]')
    .option('--secrets-dir <dir>', 'folder of the files Configs may read with dataFrom.file [BOSUN_SECRETS_DIR]')
    .option('--profile <name>', 'activate a compose profile; repeatable [BOSUN_PROFILES, comma separated]', collect, [])
    .option(
      '--env-allow <var>',
      "let a compose stack read this variable of bosun's environment (interpolation, KEY without value); repeatable [BOSUN_ENV_ALLOW]",
      collect,
      [],
    )
    .option(
      '--policy <file>',
      'host policy: what the repo may mount, run and write on this host [BOSUN_POLICY, default: the built-in policy]',
    );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Verbs that record releases also prune them: how many to keep. */
function recording(cmd: Command): Command {
  return cmd.option(
    '--history-limit <n>',
    "releases kept; older ones are pruned as a new one is recorded [BOSUN_HISTORY_LIMIT, default: the Project's historyLimit, else 50]",
  );
}

function output(choices: string[]): Option {
  return new Option('-o, --output <format>', 'output format').choices(choices).default('text');
}

export function buildProgram(setCode: (code: number) => void): Command {
  const program = new Command('bosun')
    .description('GitOps for Docker hosts: converge containers and etcd keys to a Git repository')
    .version('0.1.0')
    .exitOverride()
    .enablePositionalOptions()
    .showHelpAfterError();
  // biome-ignore lint/suspicious/noExplicitAny: commander passes (args..., options, command)
  type Action = (...args: any[]) => Promise<number>;
  const run =
    (fn: Action) =>
    async (...args: unknown[]) =>
      setCode(await fn(...args));

  program
    .command('convert')
    .description('print a compose stack (file or folder on disk) as the equivalent bosun/v1 manifests')
    .argument('<compose>', 'a compose file, or the folder holding compose.yaml')
    .option('--project <name>', "project name, as compose's -p")
    .option('--profile <name>', 'activate a compose profile; repeatable', collect, [])
    .option('--env-allow <var>', "let the stack read this variable of bosun's environment; repeatable", collect, [])
    .action(run(convertCommand));
  stackOptions(
    withCommon(program.command('validate').description('check every manifest at the ref; change nothing')),
    false,
  )
    .addOption(output(['text', 'json']))
    .action(run(validateCommand));
  stackOptions(
    recording(
      withCommon(
        program.command('reconcile').description('converge the engine (and keys) to the repo; record a release'),
      ),
    ),
    true,
  )
    .option('--dry-run', 'print the plan and write nothing')
    .option('--detailed-exitcode', 'exit 0 when nothing changes, 2 when something does (or would), 1 on error')
    .option('--out <file>', 'save the plan, to apply exactly it later with: bosun apply <file>')
    .option('--refuse-force-push', REFUSE_FORCE_PUSH)
    .option('--take-over-project <name>', TAKE_OVER_PROJECT)
    .addOption(output(['text', 'json', 'markdown']))
    .action(run(reconcileCommand));
  recording(
    withCommon(
      program
        .command('apply')
        .description('apply a plan saved by reconcile --out; refused if anything changed since')
        .argument('<file>'),
    ),
  )
    .option('--take-over-project <name>', TAKE_OVER_PROJECT)
    .action(run(applyCommand));
  recording(
    withCommon(
      program
        .command('rollback')
        .description('re-apply release N as a new release and pin the stack there')
        .argument('<N>'),
    ),
  ).action(run(rollbackCommand));
  recording(
    withCommon(
      program
        .command('down')
        .description('take the stack away: its containers and networks (volumes, keys when asked); record a release'),
    ),
  )
    .option('--dry-run', 'print what would go and change nothing')
    .option('--volumes', 'remove the named volumes too (they hold data)')
    .option('--keys', 'delete the Config keys bosun wrote too')
    .option('--detailed-exitcode', 'exit 0 when nothing goes, 2 when something does (or would), 1 on error')
    .addOption(output(['text', 'json', 'markdown']))
    .action(run(downCommand));
  recording(withCommon(program.command('resume').description('unpin and converge to git again'))).action(
    run(resumeCommand),
  );
  stackOptions(
    withCommon(program.command('status').description('release in force, pin, drift and pending git changes')),
    false,
  )
    .addOption(output(['text', 'json']))
    .action(run(statusCommand));
  stackOptions(recording(withCommon(defineServe(program.command('serve')))), true).action(run(serveCommand));
  // positional: `releases show 1 -o json` gives -o to show, not to releases
  const releases = withCommon(program.command('releases').description('list the releases of the project'))
    .enablePositionalOptions()
    .addOption(output(['text', 'json']))
    .action(run(releasesCommand));
  withCommon(releases.command('show').description('print what release N applied').argument('<N>', 'release number'))
    .addOption(output(['text', 'json']))
    .action(run((n: string, flags: object) => releaseShowCommand(n, { ...releases.opts(), ...flags })));
  defineSecret(program.command('secret'), run);
  const policy = program.command('policy').description('the host policy: what repos may ask of this host');
  withCommon(
    policy
      .command('check')
      .description('print the host policy in force; with --repo or --path, check that repo against it'),
  )
    .addOption(output(['yaml', 'json']).default('yaml'))
    .action(run(policyCheckCommand));
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
    return reportError(err);
  }
}
