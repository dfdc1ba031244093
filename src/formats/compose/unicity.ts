/**
 * After appending, a later definition replaces an earlier one with the same identity, as
 * compose-go's EnforceUnicity does: volumes by target, environment entries by key, ports by
 * their whole definition... The kept entry stays where the first was, with the last one's value.
 */
import { isObj, type Obj, placeOf, setPlace } from './tree.ts';

type Indexer = (entry: unknown) => string | undefined;

const keyValue: Indexer = (e) => (typeof e === 'string' ? e.split('=')[0] : undefined);
const whole: Indexer = (e) => (typeof e === 'string' || typeof e === 'number' ? String(e) : undefined);

const volumeTarget: Indexer = (e) => {
  if (isObj(e)) return typeof e.target === 'string' ? e.target : undefined;
  if (typeof e !== 'string') return undefined;
  const parts = e.split(':');
  return parts.length === 1 ? parts[0] : parts[1];
};

const port: Indexer = (e) => {
  if (!isObj(e)) return whole(e);
  return `${String(e.host_ip ?? '0.0.0.0')}:${String(e.published ?? '')}:${String(e.target)}/${String(e.protocol ?? 'tcp')}`;
};

function mount(defaultDir: string): Indexer {
  return (e) => {
    if (typeof e === 'string') return `${defaultDir}/${e}`;
    if (!isObj(e)) return undefined;
    return typeof e.target === 'string' ? e.target : `${defaultDir}/${String(e.source)}`;
  };
}

const envFile: Indexer = (e) => (isObj(e) ? String(e.path) : whole(e));

const SERVICE_LISTS: Record<string, Indexer> = {
  environment: keyValue,
  labels: keyValue,
  annotations: keyValue,
  sysctls: keyValue,
  extra_hosts: keyValue,
  'build.args': keyValue,
  'build.labels': keyValue,
  'deploy.labels': keyValue,
  cap_add: whole,
  cap_drop: whole,
  dns: whole,
  dns_opt: whole,
  dns_search: whole,
  tmpfs: whole,
  profiles: whole,
  links: whole,
  expose: whole,
  env_file: envFile,
  ports: port,
  volumes: volumeTarget,
  devices: volumeTarget,
  secrets: mount('/run/secrets'),
  configs: mount(''),
};

export function enforceUnicity(model: Obj): void {
  const services = model.services;
  if (!isObj(services)) return;
  for (const service of Object.values(services)) {
    if (!isObj(service)) continue;
    for (const [path, indexer] of Object.entries(SERVICE_LISTS)) dedupeAt(service, path.split('.'), indexer);
    const networks = service.networks;
    if (isObj(networks)) {
      for (const net of Object.values(networks)) if (isObj(net)) dedupeAt(net, ['aliases'], whole);
    }
  }
}

function dedupeAt(root: Obj, path: string[], indexer: Indexer): void {
  let parent: Obj = root;
  for (const seg of path.slice(0, -1)) {
    const next = parent[seg];
    if (!isObj(next)) return;
    parent = next;
  }
  const key = path[path.length - 1]!;
  const list = parent[key];
  if (Array.isArray(list)) parent[key] = dedupe(list, indexer);
}

function dedupe(list: unknown[], indexer: Indexer): unknown[] {
  const out: unknown[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry, i) => {
    const id = indexer(entry);
    const at = id === undefined ? undefined : seen.get(id);
    const index = at ?? out.length;
    if (at === undefined) {
      if (id !== undefined) seen.set(id, index);
      out.push(entry);
    } else out[index] = entry;
    setPlace(out, index, placeOf(list, i));
  });
  return out;
}
