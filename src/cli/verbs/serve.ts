import type { Command } from 'commander';
import { DEFAULT_LIMITS } from '../../server/limits.ts';
import { DEFAULT_LISTEN, DEFAULT_POLL, DEFAULT_WEBHOOK_RATE } from '../../server/defaults.ts';
import { PROVIDERS } from '../../server/webhook/verify.ts';
import {
  ADOPT_COMPOSE,
  REFUSE_FORCE_PUSH,
  recording,
  type Runner,
  stackOptions,
  TAKE_OVER_PROJECT,
  withCommon,
} from '../flags.ts';

export function serve(program: Command, run: Runner): void {
  const cmd = recording(
    withCommon(
      program
        .command('serve')
        .description('run as a controller: webhooks, polling and drift healing, one reconcile at a time')
        .option(
          '--listen <host:port>',
          `HTTP address for webhooks, /healthz, /readyz, /metrics, /status; port 0 picks one [default ${DEFAULT_LISTEN}]`,
        )
        .option(
          '--poll <cron>',
          `cron schedule of the fallback fetch+reconcile (6 fields for seconds) [default "${DEFAULT_POLL}"]`,
        )
        .option('--refuse-force-push', REFUSE_FORCE_PUSH)
        .option('--take-over-project <name>', TAKE_OVER_PROJECT)
        .option('--adopt-compose', ADOPT_COMPOSE)
        .option(
          '--webhook-secret-file <file>',
          'file holding the webhook secret [or BOSUN_WEBHOOK_SECRET; none: webhooks answer 503]',
        )
        .option(
          '--webhook-providers <list>',
          `webhook endpoints that answer, comma-separated (${PROVIDERS.join(',')}) [default: all]`,
        )
        .option(
          '--webhook-rate <n>',
          `webhook deliveries per minute from one address, also the burst; more get 429 [default ${DEFAULT_WEBHOOK_RATE}]`,
        )
        .option(
          '--notify-config <file>',
          'notifications (webhook, Slack, Discord) and commit statuses, see README [or BOSUN_NOTIFY_CONFIG]',
        )
        .option(
          '--ui-token-file <file>',
          "file holding the token that enables the dashboard's actions (reconcile, rollback, resume) [or BOSUN_UI_TOKEN_FILE; none: read-only]",
        )
        .option('--no-ui', 'no web dashboard at / and /ui/ (it is on, read-only, by default)')
        .option('--max-connections <n>', `HTTP connections in all [default ${DEFAULT_LIMITS.maxConnections}]`)
        .option(
          '--max-connections-per-source <n>',
          `HTTP connections from one address [default ${DEFAULT_LIMITS.maxConnectionsPerSource}]`,
        ),
    ),
  );
  stackOptions(cmd, true).action(run(async () => (await import('../serve.ts')).serveCommand));
}
