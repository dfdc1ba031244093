/**
 * Integration tests run against a real etcd. A missing etcd is a broken test environment,
 * so it fails the run loudly instead of skipping (a skipped suite reads as a green one).
 */
import { openStore } from '../../src/store/open.ts';

export const ETCD_URL = process.env.BOSUN_TEST_ETCD ?? 'etcd://127.0.0.1:2379';

let reachable: Promise<void> | undefined;

export async function requireEtcd(): Promise<void> {
  reachable ??= checkEtcd();
  return reachable;
}

async function checkEtcd(): Promise<void> {
  try {
    const kv = await openStore(ETCD_URL);
    await kv.close();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      [
        `These tests need a real etcd at ${ETCD_URL}, which did not answer (${reason}).`,
        'Start one with:',
        '  etcd --data-dir /tmp/etcd --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 &',
        'or run: bash test/setup-services.sh',
        'or point BOSUN_TEST_ETCD at another one (etcd://host:port).',
      ].join('\n'),
    );
  }
}
