import { Controller } from '../server/controller.ts';
import { Leadership } from '../server/leadership.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../server/body.ts';
import { createLogger, errorFields } from '../server/log.ts';
import { DEFAULT_LIMITS } from '../server/limits.ts';
import {
  checkCron,
  DEFAULT_LISTEN,
  DEFAULT_POLL,
  DEFAULT_WEBHOOK_RATE,
  loadSecret,
  parseLimit,
  parseListen,
  parseProviders,
} from '../server/options.ts';
import { loadNotifyConfig, openNotifier } from '../server/notify/open.ts';
import { loadUiToken } from '../server/ui/auth.ts';
import { takeoverByPolicy } from '../policy/takeover.ts';
import { hostPolicy } from './policy.ts';
import {
  type CommonOptions,
  openCliBackend,
  historyLimit,
  lockWaitMs,
  openSealer,
  openState,
  projectName,
  projectOverride,
  secretSources,
  sourceOptions,
} from './context.ts';
import { isAll, type StackFlags } from './stack-flags.ts';

export interface ServeFlags extends CommonOptions {
  listen?: string;
  poll?: string;
  webhookSecretFile?: string;
  webhookProviders?: string;
  webhookRate?: string;
  maxConnections?: string;
  maxConnectionsPerSource?: string;
  notifyConfig?: string;
  uiTokenFile?: string;
  /** false with --no-ui */
  ui?: boolean;
}

/** How long after a graceful stop a handle a library left open may keep the process alive. */
export const EXIT_GRACE_MS = 3_000;

/**
 * `bosun serve`: everything that can be refused (listen address, cron, secret file, state store,
 * project) is refused before the first log line, as a one-line error with exit code 1. Resolves
 * with 0 after SIGTERM/SIGINT once the running pass has finished.
 */
export async function serveCommand(flags: ServeFlags & StackFlags): Promise<number> {
  if (isAll(flags)) return (await import('./serve-stacks.ts')).serveStacksCommand(flags);
  const settings = await serveSettings(flags);
  const { waitMs, keep, listen, poll, secret, secrets, policy, providers, webhookRate, limits, dashboard } = settings;
  const project = await projectName(flags);
  const notifyConfig = loadNotifyConfig(
    flags.notifyConfig ?? process.env.BOSUN_NOTIFY_CONFIG,
    sourceOptions(flags).repo,
  );
  // before the store: a missing certificate file is refused with nothing opened
  const backend = await openCliBackend(flags);
  const kv = await openState(flags);
  const log = createLogger();
  // the controller logs and counts refused records itself
  const sealer = await openSealer(flags, kv, (line) => log.warn(line), { reportRejections: false }).catch(
    async (err: unknown) => {
      await kv.close();
      throw err;
    },
  );
  const mixed = providerWarning(providers, flags.webhookProviders !== undefined);
  if (secret !== undefined && mixed) log.warn(mixed);
  // the controller is created below; elected leaders converge at once through it
  let onElected = () => {};
  const notify = openNotifier(notifyConfig, log);
  const onChange = notify && ((leads: boolean, leader?: string) => notify.leadership(project, leads, leader));
  const leadership = new Leadership({
    kv,
    election: project,
    projects: () => [project],
    backend,
    log,
    onElected: () => onElected(),
    onChange,
  });
  const controller = new Controller({
    source: sourceOptions(flags),
    projectOverride: projectOverride(flags),
    takeOverProject: flags.takeOverProject,
    adoptCompose: flags.adoptCompose === true,
    allowTakeover: takeoverByPolicy(policy),
    secrets,
    project,
    backend,
    kv,
    sealer,
    log,
    leadership,
    listen,
    poll,
    secret,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    providers,
    webhookRate,
    limits,
    lockWaitMs: waitMs,
    historyLimit: keep,
    policy,
    notify,
    dashboard,
  });
  onElected = () => void controller.trigger({ reconcile: 'poll', heal: false });
  try {
    await controller.start();
  } catch (err) {
    await controller.stop().catch(() => undefined);
    throw err;
  }
  await untilSignal(log, async () => {
    await controller.stop();
    await notify?.close();
  });
  setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
  return 0;
}

/** What serve refuses before the first log line: listen address, cron, secret file, policy, limits. */
export async function serveSettings(flags: ServeFlags) {
  const waitMs = lockWaitMs(flags);
  const keep = historyLimit(flags);
  const listen = parseListen(flags.listen ?? DEFAULT_LISTEN);
  const poll = checkCron(flags.poll ?? DEFAULT_POLL);
  const secret = await loadSecret(flags.webhookSecretFile);
  const dashboard = flags.ui === false ? undefined : { token: await loadUiToken(flags.uiTokenFile) };
  const secrets = await secretSources(flags);
  const policy = hostPolicy(flags);
  const providers = parseProviders(flags.webhookProviders);
  const webhookRate = parseLimit('--webhook-rate', flags.webhookRate, DEFAULT_WEBHOOK_RATE);
  const limits = {
    ...DEFAULT_LIMITS,
    maxConnections: parseLimit('--max-connections', flags.maxConnections, DEFAULT_LIMITS.maxConnections),
    maxConnectionsPerSource: parseLimit(
      '--max-connections-per-source',
      flags.maxConnectionsPerSource,
      DEFAULT_LIMITS.maxConnectionsPerSource,
    ),
  };
  return { waitMs, keep, listen, poll, secret, secrets, policy, providers, webhookRate, limits, dashboard };
}

/** Said once at start-up: the endpoints that answer should be the forges in use. */
export function providerWarning(providers: ReadonlySet<string>, listed: boolean): string | undefined {
  if (!listed) return 'every webhook endpoint answers: list the forges you use with --webhook-providers';
  if (providers.has('gitlab') && providers.size > 1)
    return 'gitlab sends the webhook secret itself as its token: with another provider enabled, whoever sees it can sign for that one';
  return undefined;
}

/** The first SIGTERM/SIGINT stops gracefully; a second one exits at once. */
export function untilSignal(log: ReturnType<typeof createLogger>, stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'signal received');
      stop().then(resolve, (err) => {
        log.error({ err: errorFields(err) }, 'error while stopping');
        reject(err);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
