/**
 * The flags several verbs share, and how a verb's action is loaded. Imports nothing but
 * commander: `bosun --help` and every verb's help are built from here and src/cli/verbs/
 * without loading what the verbs run (test/unit/cli-lazy.test.ts holds it to that).
 */
import { type Command, Option } from 'commander';
import { DEFAULT_STACK_CONCURRENCY } from '../stacks/defaults.ts';

/** --take-over-project (reconcile, serve and apply) */
export const TAKE_OVER_PROJECT =
  "hand the project NAME over to this repo and path, though another source applied it (NAME must be the repo's project); recorded in the release";

/** --adopt-compose (reconcile, serve, and apply: a saved plan that takes them is planned again with it) */
export const ADOPT_COMPOSE =
  "take over the containers docker compose runs for the project (they are removed before bosun's start; volumes and networks are used as found, with their data); without it bosun refuses, naming the command that hands them over; recorded in the release";

/** --refuse-force-push (reconcile and serve) */
export const REFUSE_FORCE_PUSH =
  "refuse a revision that does not contain the last release's (the ref was force-pushed) [BOSUN_REFUSE_FORCE_PUSH=1; default: apply it, log it, record it]";

// biome-ignore lint/suspicious/noExplicitAny: commander passes (args..., options, command)
export type Action = (...args: any[]) => Promise<number>;

/**
 * Turns "how to load the verb" into commander's action: the verb's module is imported only
 * when the verb runs, e.g. `run(async () => (await import('../reconcile.ts')).reconcileCommand)`.
 */
export type Runner = (load: () => Promise<Action>) => (...args: unknown[]) => Promise<void>;

/** Options shared by every verb; each also has an environment variable (see README). */
export function withCommon(cmd: Command): Command {
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
    .option(
      '--backend <name>',
      'where the workloads run: docker (one engine) or swarm (a Docker Swarm, --docker-host naming a manager) [BOSUN_BACKEND, default docker]',
    )
    .option(
      '--no-swarm-mesh',
      "swarm: publish ports on each task's own node and resolve services by DNS round robin, for kernels without IPVS (no routing mesh, no VIPs) [BOSUN_SWARM_MESH=0]",
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

/** Verbs that record releases also prune them: how many to keep. */
export function recording(cmd: Command): Command {
  return cmd.option(
    '--history-limit <n>',
    "releases kept; older ones are pruned as a new one is recorded [BOSUN_HISTORY_LIMIT, default: the Project's historyLimit, else 50]",
  );
}

export function output(choices: string[]): Option {
  return new Option('-o, --output <format>', 'output format').choices(choices).default('text');
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** --all and --stacks (every verb that takes them); --prune-stacks and --stack-concurrency with `apply`. */
export function stackOptions(cmd: Command, apply: boolean): Command {
  cmd
    .option('--all', 'every stack of the repo: the folders --stacks matches, else those bosun-stacks.yaml lists')
    .option(
      '--stacks <glob>',
      "stack folders, relative to the repo root (or --path), e.g. 'stacks/*'; repeatable; implies --all",
      collect,
    );
  if (!apply) return cmd;
  return cmd
    .option('--prune-stacks', 'take down (as bosun down, volumes kept) the stacks whose folder left the repo')
    .option(
      '--stack-concurrency <n>',
      `stacks applied side by side (in dependency order) [default ${DEFAULT_STACK_CONCURRENCY}]`,
    );
}
