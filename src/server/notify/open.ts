/** What `bosun serve` calls: the config read and checked before anything starts, then the notifier. */
import type { Logger } from '../log.ts';
import { checkForgeRepo } from './commit-status.ts';
import { loadNotifyConfig as readConfig, type NotifyConfig } from './config.ts';
import { Notifier } from './notifier.ts';

/** The file (flag or BOSUN_NOTIFY_CONFIG), validated; commit statuses need a repo the forge knows. */
export function loadNotifyConfig(file: string | undefined, repoUrl: string): NotifyConfig | undefined {
  const config = readConfig(file);
  if (config?.commitStatus) checkForgeRepo(config.commitStatus, repoUrl, config.file);
  return config;
}

export function openNotifier(config: NotifyConfig | undefined, log: Logger): Notifier | undefined {
  if (!config) return undefined;
  const names = config.targets.map((t) => `${t.name} (${t.type})`);
  if (config.commitStatus) names.push(`commit-status (${config.commitStatus.provider})`);
  log.info({ file: config.file, targets: names }, `notifications: ${names.join(', ') || 'no targets'}`);
  return new Notifier(config, { log });
}
