/**
 * The CLI's state store and sealer: where --state points, the etcd settings, the state key. A
 * verb opens them through here (or context.ts#withSessions) and nowhere else. The stores' and
 * sealer's code is imported when one is opened: CLI verbs run in their own process, so these
 * dynamic imports never make a second copy of a module beside a test's.
 */
import { DEFAULT_STATE_URL, embeddedStorePath } from '../store/url.ts';
import type { KvStore } from '../ports.ts';
import type { EtcdAccess } from '../store/etcd/access.ts';
import { useDigestKey } from '../model/digest.ts';
import type { RecordSealer } from '../trust/sealer.ts';
import { defaultStateKeyFile } from '../trust/state-key.ts';
import type { CommonOptions } from './context.ts';

export function stateUrl(o: CommonOptions): string {
  return o.state ?? process.env.BOSUN_STATE ?? DEFAULT_STATE_URL;
}

/** --state-key-file, BOSUN_STATE_KEY_FILE, or beside the embedded store (see defaultStateKeyFile). */
export function stateKeyFile(o: CommonOptions): string {
  return o.stateKeyFile || process.env.BOSUN_STATE_KEY_FILE || defaultStateKeyFile(embeddedStorePath(stateUrl(o)));
}

/**
 * The process's sealer, from the state key file (created on first use, with one line saying so).
 * Its digest subkey becomes the process's key for digests of secret values. `warn` hears of
 * every record refused (the CLI prints them; serve logs and counts them).
 */
export async function openSealer(
  o: CommonOptions,
  kv: KvStore,
  warn: (line: string) => void = stderrLine,
  { reportRejections = true } = {},
): Promise<RecordSealer> {
  const [{ loadKeyFor }, { RecordSealer }] = await Promise.all([
    import('../trust/key-marker.ts'),
    import('../trust/sealer.ts'),
  ]);
  const loaded = await loadKeyFor(kv, stateKeyFile(o));
  if (loaded.created)
    warn(
      `created state key ${loaded.file} (id ${loaded.key.id}): keep it, and give every controller of this cluster a copy — records sealed with another key are refused`,
    );
  useDigestKey(loaded.key.digest);
  const sealer = new RecordSealer(loaded.key);
  if (reportRejections) sealer.onRejected((r) => warn(`${r.error.code}: ${r.error.message}`));
  return sealer;
}

function stderrLine(line: string): void {
  process.stderr.write(`bosun: ${line}\n`);
}

/** etcdctl's TLS and user settings; the password only from the environment or a file, never a flag. */
export function etcdAccess(o: CommonOptions): EtcdAccess {
  const env = process.env;
  const access: EtcdAccess = {
    cacert: o.etcdCacert ?? env.BOSUN_ETCD_CACERT,
    cert: o.etcdCert ?? env.BOSUN_ETCD_CERT,
    key: o.etcdKey ?? env.BOSUN_ETCD_KEY,
    user: o.etcdUser ?? env.BOSUN_ETCD_USER,
    passwordFile: o.etcdPasswordFile ?? env.BOSUN_ETCD_PASSWORD_FILE,
    password: env.BOSUN_ETCD_PASSWORD,
  };
  // an empty variable is an unset one, as a shell user means it
  for (const k of Object.keys(access) as (keyof EtcdAccess)[]) if (!access[k]) delete access[k];
  return access;
}

/** The verb's state store, from --state and the etcd settings: the one place a CLI verb opens it. */
export async function openState(o: CommonOptions): Promise<KvStore> {
  // the stores' code loads with the first verb that opens one (validate, convert never do)
  const { openStore } = await import('../store/open.ts');
  return openStore(stateUrl(o), etcdAccess(o));
}

/** Opens the state store for the duration of `fn` and always closes it. */
export async function withStore<T>(
  o: CommonOptions,
  fn: (kv: KvStore, sealer: RecordSealer) => Promise<T>,
): Promise<T> {
  const kv = await openState(o);
  try {
    return await fn(kv, await openSealer(o, kv));
  } finally {
    await kv.close();
  }
}
