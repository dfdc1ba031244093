import { createRequire } from 'node:module';
import type { Etcd3, IKeyValue, IOptions } from 'etcd3';
import { BosunError, Codes } from '../../errors.ts';
import type { EtcdAccess, EtcdSecurity } from './access.ts';
import { describeEtcdFailure, type FailureContext, securityFailure } from './failure.ts';
import type { KvEntry } from '../../model/observed.ts';
import type { KvStore, KvTxn } from '../../ports.ts';
import { hostPolicies, neverSent, tryEachHostOnce } from './policies.ts';

const DEFAULT_CALL_TIMEOUT_MS = 5_000;

type Etcd3Module = typeof import('etcd3');
let etcd3Module: Etcd3Module | undefined;

/**
 * etcd3 and its gRPC stack cost ~20 MB of resident memory: loaded when the first etcd store
 * opens, so a host on the embedded store never pays for them. Required as a package (one
 * instance, shared with any `import 'etcd3'`), unlike a dynamic import of a src module, which
 * under the test runner can load a second copy of the error classes.
 */
function etcd3(): Etcd3Module {
  return (etcd3Module ??= createRequire(import.meta.url)('etcd3') as Etcd3Module);
}

/** No etcd3 error can exist before etcd3 is loaded: checking must not load it. */
function isEtcd3Error(err: unknown, name: 'GRPCDeadlineExceededError' | 'GRPCUnavailableError'): boolean {
  return etcd3Module !== undefined && err instanceof etcd3Module[name];
}

function isConnectionFailure(err: unknown): boolean {
  return (
    isEtcd3Error(err, 'GRPCUnavailableError') ||
    isEtcd3Error(err, 'GRPCDeadlineExceededError') ||
    (err instanceof Error && etcd3Module !== undefined && etcd3Module.isRecoverableError(err)) ||
    neverSent(err)
  );
}

export interface EtcdClientOptions {
  callTimeoutMs?: number;
  /** https endpoints: TLS, with the CA and client certificate of `security.tls` when given */
  secure?: boolean;
  security?: EtcdSecurity;
  /** the settings `security` was loaded from, to name them in errors */
  access?: EtcdAccess;
}

/**
 * grpc-js sets the TLS server name to the host even when it is an IP address, and Node warns
 * about that on stderr (DEP0123) at the first connection. The certificate is still checked
 * against the IP (its subjectAltName), so the warning says nothing the user can act on.
 */
function quietIpServerNameWarning(): void {
  const emit = process.emitWarning;
  if ((emit as { bosunQuiet?: boolean }).bosunQuiet) return;
  const quiet = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const code = typeof rest[0] === 'object' ? (rest[0] as { code?: string })?.code : rest[1];
    if (code === 'DEP0123') return;
    return (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  (quiet as { bosunQuiet?: boolean }).bosunQuiet = true;
  process.emitWarning = quiet;
}

function clientOptions(endpoints: string[], opts: EtcdClientOptions): IOptions {
  const tls = opts.secure ? (opts.security?.tls ?? {}) : undefined;
  if (tls) quietIpServerNameWarning();
  return {
    hosts: endpoints.map((e) => `${tls ? 'https' : 'http'}://${e}`),
    // grpc-js takes null for "the system's CAs"; etcd3's type wants a Buffer
    ...(tls && (tls.ca || tls.cert)
      ? {
          credentials: {
            rootCertificate: tls.ca ?? (null as unknown as Buffer),
            certChain: tls.cert,
            privateKey: tls.key,
          },
        }
      : {}),
    ...(opts.security?.auth ? { auth: opts.security.auth } : {}),
  };
}

/** The etcd client and the KvStore operations; the store with its coordination is EtcdKv (index.ts). */
export class EtcdClient implements Omit<KvStore, 'coordination'> {
  readonly url: string;
  private readonly client: Etcd3;
  private readonly endpoints: string[];
  private readonly timeoutMs: number;
  private readonly failure: FailureContext;

  /** `endpoints` are host:port pairs (no scheme) */
  constructor(endpoints: string[], opts: EtcdClientOptions = {}) {
    if (endpoints.length === 0) throw new BosunError(Codes.storeUrl, 'etcd needs at least one host:port');
    this.endpoints = endpoints;
    this.url = `${opts.secure ? 'etcds' : 'etcd'}://${endpoints.join(',')}`;
    this.timeoutMs = opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const certNotAfter = opts.security?.tls?.certNotAfter;
    this.failure = { endpoints, secure: Boolean(opts.secure), access: opts.access ?? {}, certNotAfter };
    this.client = new (etcd3().Etcd3)({
      ...clientOptions(endpoints, opts),
      faultHandling: {
        host: hostPolicies(),
        global: tryEachHostOnce(endpoints.length, (err) => etcd3().isRecoverableError(err)),
      },
      // streams (watches) are long-lived by design; every unary call gets a deadline
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + this.timeoutMs }),
    });
  }

  /**
   * The etcd3 client, for what the KvStore shape cannot say: leases, watches and elections
   * (src/coord/). Calls made on it directly should go through `guard` to get typed errors.
   */
  get etcd(): Etcd3 {
    return this.client;
  }

  /**
   * Runs a call on `etcd`; connection trouble becomes E_STORE_UNREACHABLE, TLS and authentication
   * failures E_STORE_TLS and E_STORE_AUTH, as for every KvStore call. `what` completes "may not …".
   */
  guard<T>(run: () => Promise<T>, what = 'do this'): Promise<T> {
    return this.call(run, what);
  }

  /**
   * Fails with E_STORE_UNREACHABLE unless etcd answers a read within `timeoutMs`; with
   * E_STORE_TLS or E_STORE_AUTH when it answers but refuses bosun.
   */
  async ping(timeoutMs = this.timeoutMs): Promise<void> {
    try {
      const get = this.client.get('/bosun/.ping');
      // one deadline for all hosts would leave none for the next after a silent one
      await (this.endpoints.length > 1 ? get : get.options({ deadline: Date.now() + timeoutMs })).exec();
    } catch (err) {
      const waited = this.endpoints.length > 1 ? this.timeoutMs : timeoutMs;
      throw securityFailure(err, this.failure, 'read /bosun/') ?? this.unreachable(err, waited);
    }
  }

  async get(key: string): Promise<KvEntry | undefined> {
    const res = await this.call(() => this.client.get(key).exec(), `read ${key}`);
    const kv = res.kvs[0];
    return kv ? toEntry(kv) : undefined;
  }

  async list(prefix: string): Promise<KvEntry[]> {
    const range = prefix === '' ? this.client.getAll().all() : this.client.getAll().prefix(prefix);
    const res = await this.call(() => range.sort('Key', 'Ascend').exec(), `read ${prefix}*`);
    return res.kvs.map(toEntry);
  }

  async put(key: string, value: string): Promise<void> {
    await this.call(() => this.client.put(key).value(value).exec(), `write ${key}`);
  }

  async putIf(key: string, value: string, expected: string | null): Promise<boolean> {
    const txn = expected === null ? this.client.if(key, 'Create', '==', 0) : this.client.if(key, 'Mod', '==', expected);
    const res = await this.call(() => txn.then(this.client.put(key).value(value)).commit(), `write ${key}`);
    return res.succeeded;
  }

  async delete(key: string): Promise<void> {
    await this.call(() => this.client.delete().key(key).exec(), `delete ${key}`);
  }

  async commit(txn: KvTxn): Promise<boolean> {
    const [first, ...rest] = txn.expect;
    if (!first) throw new BosunError(Codes.internal, 'a KvStore commit needs at least one expected version');
    // Create == 0: the key does not exist; Mod == v: nobody wrote it since it was read
    const column = (v: string | null) => (v === null ? 'Create' : 'Mod');
    const cmp = this.client.if(first.key, column(first.version), '==', first.version ?? 0);
    for (const e of rest) cmp.and(e.key, column(e.version), '==', e.version ?? 0);
    const ops = [
      ...txn.put.map(({ key, value }) => this.client.put(key).value(value)),
      ...txn.delete.map((key) => this.client.delete().key(key)),
    ];
    const keys = [...txn.put.map((p) => p.key), ...txn.delete];
    const more = keys.length > 1 ? ` and ${keys.length - 1} more key(s)` : '';
    const res = await this.call(() => cmp.then(...ops).commit(), `write ${keys[0] ?? first.key}${more}`);
    return res.succeeded;
  }

  async close(): Promise<void> {
    this.client.close();
  }

  /**
   * TLS and authentication failures become their own stalled errors, connection trouble a
   * retryable one; anything else is a real bug, kept as is.
   */
  private async call<T>(run: () => Promise<T>, what: string): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const refused = securityFailure(err, this.failure, what);
      if (refused) throw refused;
      throw isConnectionFailure(err) ? this.unreachable(err, this.timeoutMs) : err;
    }
  }

  private unreachable(err: unknown, timeoutMs: number): BosunError {
    const where = this.endpoints.join(',');
    return new BosunError(
      Codes.storeUnreachable,
      `cannot reach etcd at ${where}: ${describeEtcdFailure(err, timeoutMs, isEtcd3Error(err, 'GRPCDeadlineExceededError'))}`,
      {
        data: { endpoints: this.endpoints },
        cause: err,
      },
    );
  }
}

function toEntry(kv: IKeyValue): KvEntry {
  return { key: kv.key.toString(), value: kv.value.toString(), version: kv.mod_revision };
}
