/** A cluster repo for the many-stacks tests: one small stack per folder, each its own project. */
import { IMAGE_V1, uniqueProject } from './docker.ts';

/** Containers that stop at once on SIGTERM, so tests do not wait out grace periods. */
const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

export interface StackDef {
  /** folder name under stacks/ */
  folder: string;
  project: string;
}

/** `count` stacks named t-<prefix>-<rand>-<i>, folders s0, s1, … */
export function stackDefs(prefix: string, count: number): StackDef[] {
  const base = uniqueProject(prefix);
  return Array.from({ length: count }, (_, i) => ({ folder: `s${i}`, project: `${base}-${i}` }));
}

/** One stack's files: a Project and `services` idle services; `rev` goes into their env. */
export function stackFolder(
  d: StackDef,
  o: { services?: number; rev?: string; image?: string } = {},
): Record<string, string> {
  const files: Record<string, string> = {
    [`stacks/${d.folder}/bosun.yaml`]: `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${d.project}\n`,
  };
  for (let i = 0; i < (o.services ?? 1); i++) {
    files[`stacks/${d.folder}/svc${i}.yaml`] = [
      'apiVersion: bosun/v1',
      'kind: Service',
      'metadata:',
      `  name: svc${i}`,
      'spec:',
      `  image: ${o.image ?? IMAGE_V1}`,
      `  command: ${IDLE}`,
      '  stopGracePeriod: 1s',
      `  env: { REV: "${o.rev ?? '1'}" }`,
      '',
    ].join('\n');
  }
  return files;
}

/** Every stack's files, merged. */
export function clusterFiles(defs: StackDef[], o: { services?: number } = {}): Record<string, string> {
  return Object.assign({}, ...defs.map((d) => stackFolder(d, o)));
}

/** A manifest that does not validate (replicas is a string). */
export function brokenService(d: StackDef): Record<string, string> {
  return {
    [`stacks/${d.folder}/svc0.yaml`]:
      'apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: svc0\nspec:\n  image: x\n  replicas: many\n',
  };
}
