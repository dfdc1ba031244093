import type { Command } from 'commander';
import { Controller } from '../server/controller.ts';
import { Leadership } from '../server/leadership.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../server/body.ts';
import { createLogger, errorFields } from '../server/log.ts';
import { checkCron, DEFAULT_LISTEN, DEFAULT_POLL, loadSecret, parseListen } from '../server/options.ts';
import { openStore } from '../store/open.ts';
import { openBackend } from '../backends/index.ts';
import {
  historyLimit,
  lockWaitMs,
  projectName,
  projectOverride,
  sourceOptions,
  stateUrl,
  type CommonOptions,
} from './context.ts';

export interface ServeFlags extends CommonOptions {
  listen?: string;
  poll?: string;
  webhookSecretFile?: string;
}

/** The serve verb's own options (the common ones are added by main.ts). */
export function defineServe(cmd: Command): Command {
  return cmd
    .description('run as a controller: webhooks, polling and drift healing, one reconcile at a time')
    .option(
      '--listen <host:port>',
      `HTTP address for webhooks, /healthz, /readyz, /metrics, /status; port 0 picks one [default ${DEFAULT_LISTEN}]`,
    )
    .option(
      '--poll <cron>',
      `cron schedule of the fallback fetch+reconcile (6 fields for seconds) [default "${DEFAULT_POLL}"]`,
    )
    .option(
      '--webhook-secret-file <file>',
      'file holding the webhook secret [or BOSUN_WEBHOOK_SECRET; none: webhooks answer 503]',
    );
}

/** How long after a graceful stop a handle a library left open may keep the process alive. */
const EXIT_GRACE_MS = 3_000;

/**
 * `bosun serve`: everything that can be refused (listen address, cron, secret file, state store,
 * project) is refused before the first log line, as a one-line error with exit code 1. Resolves
 * with 0 after SIGTERM/SIGINT once the running pass has finished.
 */
export async function serveCommand(flags: ServeFlags): Promise<number> {
  const waitMs = lockWaitMs(flags);
  const keep = historyLimit(flags);
  const listen = parseListen(flags.listen ?? DEFAULT_LISTEN);
  const poll = checkCron(flags.poll ?? DEFAULT_POLL);
  const secret = await loadSecret(flags.webhookSecretFile);
  const project = await projectName(flags);
  const kv = await openStore(stateUrl(flags));
  const log = createLogger();
  const backend = openBackend('docker', { host: flags.dockerHost });
  // the controller is created below; elected leaders converge at once through it
  let onElected = () => {};
  const leadership = new Leadership({ kv, project, backend, log, onElected: () => onElected() });
  const controller = new Controller({
    source: sourceOptions(flags),
    projectOverride: projectOverride(flags),
    project,
    backend,
    kv,
    log,
    leadership,
    listen,
    poll,
    secret,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    lockWaitMs: waitMs,
    historyLimit: keep,
  });
  onElected = () => void controller.trigger({ reconcile: 'poll', heal: false });
  try {
    await controller.start();
  } catch (err) {
    await controller.stop().catch(() => undefined);
    throw err;
  }
  await untilSignal(log, () => controller.stop());
  setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
  return 0;
}

/** The first SIGTERM/SIGINT stops gracefully; a second one exits at once. */
function untilSignal(log: ReturnType<typeof createLogger>, stop: () => Promise<void>): Promise<void> {
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
