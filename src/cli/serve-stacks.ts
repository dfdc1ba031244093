/**
 * `bosun serve --stacks GLOB` / `bosun serve --all`: one controller for every stack of a cluster
 * repo (server/stacks/). The same settings, refusals and shutdown as the one-project serve.
 */
import { takeoverByPolicy } from '../policy/takeover.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../server/body.ts';
import { createLogger } from '../server/log.ts';
import { Leadership } from '../server/leadership.ts';
import { StacksController } from '../server/stacks/controller.ts';
import { normalizePath } from '../source/git.ts';
import { clusterElection } from '../stacks/record.ts';
import { openCliBackend, openSealer, openState, sourceOptions } from './context.ts';
import { EXIT_GRACE_MS, providerWarning, type ServeFlags, serveSettings, untilSignal } from './serve.ts';
import { checkAllFlags, stackConcurrency, type StackFlags } from './stack-flags.ts';

export async function serveStacksCommand(flags: ServeFlags & StackFlags): Promise<number> {
  checkAllFlags(flags);
  const s = await serveSettings(flags);
  const concurrency = stackConcurrency(flags);
  const source = sourceOptions(flags);
  const backend = await openCliBackend(flags);
  const kv = await openState(flags);
  const log = createLogger();
  const sealer = await openSealer(flags, kv, (line) => log.warn(line), { reportRejections: false }).catch(
    async (err: unknown) => {
      await kv.close();
      throw err;
    },
  );
  const mixed = providerWarning(s.providers, flags.webhookProviders !== undefined);
  if (s.secret !== undefined && mixed) log.warn(mixed);
  if (s.dashboard?.token !== undefined) log.warn('the dashboard of serve --all is read-only: the UI token is not used');
  // one leader for the whole repo: the controller is created below; an elected leader plans every stack
  let onElected = () => {};
  let projects = (): string[] => [];
  const leadership = new Leadership({
    kv,
    election: clusterElection(source.repo, normalizePath(source.path)),
    projects: () => projects(),
    backend,
    log,
    onElected: () => onElected(),
  });
  const controller = new StacksController({
    source,
    globs: flags.stacks ?? [],
    concurrency,
    prune: Boolean(flags.pruneStacks),
    takeOverProject: flags.takeOverProject,
    adoptCompose: flags.adoptCompose === true,
    allowTakeover: takeoverByPolicy(s.policy),
    secrets: s.secrets,
    backend,
    kv,
    sealer,
    log,
    listen: s.listen,
    poll: s.poll,
    secret: s.secret,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    providers: s.providers,
    webhookRate: s.webhookRate,
    limits: s.limits,
    lockWaitMs: s.waitMs,
    historyLimit: s.keep,
    policy: s.policy,
    leadership,
    dashboard: s.dashboard && {},
  });
  onElected = () => void controller.trigger({ reconcile: 'poll', heal: [], elected: true });
  projects = () => controller.projects();
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
