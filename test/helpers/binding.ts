/** Shared by the project binding tests: stacks that claim a project, the refusal, the binding record. */
import { bindingKey } from '../../src/release/binding-record.ts';
import { openStore } from '../../src/store/open.ts';
import { IMAGE_V1 } from './docker.ts';
import { ETCD_URL } from './etcd.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

/** A Project named `project` with one idle service `service`. */
export function stack(project: string, service: string, level: string, dir = ''): Record<string, string> {
  return {
    [`${dir}bosun.yaml`]: `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
    [`${dir}${service}.yaml`]: `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: ${service} }\nspec:\n  image: ${IMAGE_V1}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n  env: { LEVEL: ${level} }\n`,
  };
}

export function refusal(project: string, bound: string, claimant: string): string {
  return `error: project "${project}" is bound to ${bound}; this source is ${claimant}: refusing (hand it over with --take-over-project ${project}, or takeOver: true in a projects entry of the host policy)\n`;
}

/** `http://127.0.0.1:1234/x.git` with credentials in it, as a token is often given. */
export function withUserinfo(url: string, userinfo: string): string {
  return url.replace('http://', `http://${userinfo}@`);
}

/** The binding record as JSON, read out of its seal (not verified: the CLI holds the state key). */
export async function bindingValue(state: string, project: string): Promise<string | undefined> {
  const kv = await openStore(state);
  try {
    const value = (await kv.get(bindingKey(project)))?.value;
    return value === undefined ? undefined : JSON.stringify(JSON.parse(value).record);
  } finally {
    await kv.close();
  }
}

export async function forgetBinding(state: string, project: string): Promise<void> {
  const kv = await openStore(state);
  try {
    await kv.delete(bindingKey(project));
  } finally {
    await kv.close();
  }
}

/** Only this suite's keys: every test project has its own prefix. */
export async function forgetProjects(projects: string[]): Promise<void> {
  const kv = await openStore(ETCD_URL);
  try {
    for (const p of projects) for (const e of await kv.list(`/bosun/${p}/`)) await kv.delete(e.key);
  } finally {
    await kv.close();
  }
}
