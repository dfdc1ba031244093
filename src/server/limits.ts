import type http from 'node:http';
import type { Socket } from 'node:net';
import { DEFAULT_BODY_TIMEOUT_MS } from './body.ts';
import { sourceOf } from './webhook/rate-limit.ts';

/**
 * What one HTTP client may hold of the server. Anyone on the network can connect, so every
 * resource a connection can pin (a socket, a parser, a body buffer) is capped in number and time.
 */
export interface HttpLimits {
  /** connections in all; beyond it new ones are closed at once (Node's server.maxConnections) */
  maxConnections: number;
  /** connections from one remote address; beyond it new ones from there are closed at once */
  maxConnectionsPerSource: number;
  /** the request line and headers must arrive within this */
  headersTimeoutMs: number;
  /** the whole request, body included */
  requestTimeoutMs: number;
  /** a webhook body must arrive within this once its headers are in */
  bodyTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
  /** webhook bodies being read at once (each up to the body limit in memory); beyond: 503 */
  maxBodiesInFlight: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  maxConnections: 512,
  maxConnectionsPerSource: 32,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 15_000,
  bodyTimeoutMs: DEFAULT_BODY_TIMEOUT_MS,
  keepAliveTimeoutMs: 5_000,
  maxBodiesInFlight: 32,
};

/** How often Node looks for connections past their header or request deadline (its default is 30 s). */
export const CONNECTION_CHECK_MS = 500;

export type RefusedBy = 'global' | 'source';

/**
 * Applies the connection cap and timeouts to `server` and counts connections per source,
 * closing one over the per-source cap before its first byte is parsed; `refused` hears of every
 * connection closed on arrival. Returns the live count per source.
 */
export function applyLimits(
  server: http.Server,
  limits: HttpLimits,
  refused: (by: RefusedBy) => void = () => {},
): Map<string, number> {
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => refused('global'));
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  const perSource = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const source = sourceOf(socket.remoteAddress);
    const n = (perSource.get(source) ?? 0) + 1;
    if (n > limits.maxConnectionsPerSource) {
      socket.destroy();
      return refused('source');
    }
    perSource.set(source, n);
    socket.once('close', () => {
      const left = (perSource.get(source) ?? 1) - 1;
      if (left <= 0) perSource.delete(source);
      else perSource.set(source, left);
    });
  });
  return perSource;
}
