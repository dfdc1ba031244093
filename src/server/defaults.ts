/** serve's defaults, named in its --help: kept free of imports so the help loads nothing else. */
export const DEFAULT_LISTEN = '127.0.0.1:8080';
/** Every minute: the safety net for webhooks that never arrive. */
export const DEFAULT_POLL = '*/1 * * * *';
/** Deliveries per minute from one address, also the burst: a forge sends one per push. */
export const DEFAULT_WEBHOOK_RATE = 60;
