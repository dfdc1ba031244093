/**
 * A real local HTTP server that records every request it receives (method, path, headers, raw
 * body) and answers as the test scripts it: a status per request in order, then `otherwise`;
 * `hang` leaves requests unanswered (a receiver that never replies) until it is closed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** never answer this request */
  hang?: boolean;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** answers for the next requests, in order; then `otherwise` */
  script: Answer[];
  /** answers for the next requests whose path starts with the key, before `script` */
  scripts: Map<string, Answer[]>;
  otherwise: Answer;
  /** requests received and not answered (hanging) */
  hanging(): number;
  /** requests whose path starts with `prefix` */
  at(prefix: string): Received[];
  close(): Promise<void>;
}

export async function startReceiver(otherwise: Answer = { status: 200 }): Promise<Receiver> {
  const hanging = new Set<http.ServerResponse>();
  const r: Receiver = {
    url: '',
    received: [],
    script: [],
    scripts: new Map(),
    otherwise,
    hanging: () => [...hanging].filter((res) => !res.destroyed).length,
    at: (prefix) => r.received.filter((x) => x.path.startsWith(prefix)),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const path = req.url ?? '';
      const mine = [...r.scripts].find(([prefix, answers]) => path.startsWith(prefix) && answers.length > 0);
      const answer = mine?.[1].shift() ?? r.script.shift() ?? r.otherwise;
      if (answer.hang) {
        hanging.add(res);
        return void res.on('close', () => hanging.delete(res));
      }
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return r;
}
