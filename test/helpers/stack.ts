import { IMAGE_V1 } from './docker.ts';

export interface StackOptions {
  webImage?: string;
  webReplicas?: number;
  worker?: boolean;
  level?: string;
}

/** Containers that stop at once on SIGTERM, so tests do not wait out grace periods. */
const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

/** A small stack: web (replicas) → api (healthcheck, reads a Config) and an independent worker. */
export function stackFiles(project: string, o: StackOptions = {}): Record<string, string | null> {
  const service = (name: string, body: string) =>
    `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  command: ${IDLE}\n  stopGracePeriod: 1s\n${body}`;
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${project}\n`,
    'config/app.yaml': [
      'apiVersion: bosun/v1',
      'kind: Config',
      'metadata:',
      '  name: app',
      'spec:',
      `  prefix: /${project}/app/`,
      '  data:',
      `    LEVEL: ${o.level ?? 'info'}`,
      '    LIMITS: { rps: 10 }',
      '',
    ].join('\n'),
    'services/web.yaml': service(
      'web',
      `  image: ${o.webImage ?? IMAGE_V1}\n  replicas: ${o.webReplicas ?? 2}\n  dependsOn: [api]\n`,
    ),
    'services/api.yaml': service(
      'api',
      `  image: ${IMAGE_V1}\n  envFrom: [{ config: app }]\n  healthcheck: { cmd: [test, -f, /VERSION], interval: 300ms, retries: 3 }\n`,
    ),
    'services/worker.yaml': o.worker === false ? null : service('worker', `  image: ${IMAGE_V1}\n`),
  };
}

/** Initial files for createRepo: nulls (deleted files) left out. */
export function present(files: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).filter((e): e is [string, string] => e[1] !== null));
}
