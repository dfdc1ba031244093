/**
 * compose keys bosun does not deploy, each refused by name at the place it is written, with
 * what to write instead where bosun has it (./unsupported-keys.ts). Runs before the schema,
 * and removes what it refused, so the schema is left with typos and wrong types to report.
 */
import type { Issues } from './issues.ts';
import type { ComposePath } from './loaded.ts';
import { isObj, type Obj, type Pos } from './tree.ts';
import { BUILD_KEYS, DEFINITION_KEYS, DEPLOY_KEYS, SERVICE_KEYS, SERVICE_NETWORK_KEYS } from './unsupported-keys.ts';

type Locator = (path: ComposePath, onKey: boolean) => Pos;
type Refuse = (path: ComposePath, message: string, onKey?: boolean) => void;

export function refuseUnsupported(model: Obj, locate: Locator, issues: Issues): void {
  const refuse: Refuse = (path, message, onKey = true) => issues.add(locate(path, onKey), path, message);
  const top = { include: 'list the files in the Project, or merge them into one compose file', models: '' };
  refuseKeys(model, [], top, refuse);
  for (const [name, service] of entries(model.services)) checkService(service, ['services', name], refuse);
  for (const section of Object.keys(DEFINITION_KEYS)) {
    for (const [name, def] of entries(model[section])) checkDefinition(def, [section, name], refuse);
  }
}

function entries(v: unknown): [string, Obj][] {
  return isObj(v) ? (Object.entries(v).filter(([, s]) => isObj(s)) as [string, Obj][]) : [];
}

/** Refuses (and removes) each key of `table` present in `obj`. */
function refuseKeys(obj: Obj, path: ComposePath, table: Record<string, string>, refuse: Refuse): void {
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(table, key)) continue;
    const alternative = table[key];
    refuse([...path, key], `${key} is not supported by bosun${alternative ? `: ${alternative}` : ''}`);
    delete obj[key];
  }
}

function checkService(service: Obj, path: ComposePath, refuse: Refuse): void {
  refuseKeys(service, path, SERVICE_KEYS, refuse);
  if (isObj(service.build)) refuseKeys(service.build, [...path, 'build'], BUILD_KEYS, refuse);
  if (isObj(service.deploy)) checkDeploy(service.deploy, [...path, 'deploy'], refuse);
  const mode = service.network_mode;
  if (typeof mode === 'string' && /^(service|container):/.test(mode)) {
    const message = `network_mode "${mode}" is not supported by bosun: put both services on one network instead`;
    refuse([...path, 'network_mode'], message, false);
    delete service.network_mode;
  }
  for (const [dep, entry] of entries(service.depends_on)) checkDependency(entry, [...path, 'depends_on', dep], refuse);
  for (const [net, entry] of entries(service.networks)) {
    refuseKeys(entry, [...path, 'networks', net], SERVICE_NETWORK_KEYS, refuse);
  }
  if (Array.isArray(service.volumes)) {
    service.volumes.forEach((v, i) => {
      if (isObj(v)) checkMount(v, [...path, 'volumes', i], refuse);
    });
  }
  if (Array.isArray(service.env_file)) {
    service.env_file.forEach((e, i) => {
      if (isObj(e))
        refuseKeys(e, [...path, 'env_file', i], { format: 'env files are read as compose reads .env' }, refuse);
    });
  }
}

function checkDeploy(deploy: Obj, path: ComposePath, refuse: Refuse): void {
  refuseKeys(deploy, path, DEPLOY_KEYS, refuse);
  const resources = deploy.resources;
  if (isObj(resources)) {
    const reservations = "bosun sets limits; reservations are a scheduler's hint and there is no scheduler";
    refuseKeys(resources, [...path, 'resources'], { reservations }, refuse);
    if (isObj(resources.limits)) refuseKeys(resources.limits, [...path, 'resources', 'limits'], { pids: '' }, refuse);
  }
  if (isObj(deploy.update_config)) {
    refuseKeys(deploy.update_config, [...path, 'update_config'], { max_failure_ratio: '' }, refuse);
  }
}

function checkDependency(entry: Obj, path: ComposePath, refuse: Refuse): void {
  if (entry.condition === 'service_completed_successfully') {
    const message =
      'condition service_completed_successfully is not supported by bosun yet: a one-shot service that must finish first (a migration) has to run outside the stack for now';
    refuse([...path, 'condition'], message, false);
    delete entry.condition;
    entry.condition = 'service_started';
  }
  const restart = 'bosun replaces a service only when its own definition changes';
  refuseKeys(entry, path, { restart }, refuse);
}

function checkMount(mount: Obj, path: ComposePath, refuse: Refuse): void {
  if (typeof mount.type === 'string' && !['volume', 'bind', 'tmpfs'].includes(mount.type)) {
    refuse(
      [...path, 'type'],
      `volume type "${mount.type}" is not supported by bosun (volume, bind and tmpfs are)`,
      false,
    );
    mount.type = 'volume';
  }
  if (isObj(mount.bind)) {
    const table = { propagation: '', selinux: '', recursive: '' };
    refuseKeys(mount.bind, [...path, 'bind'], table, refuse);
  }
  if (isObj(mount.volume)) refuseKeys(mount.volume, [...path, 'volume'], { nocopy: '', subpath: '' }, refuse);
  if ('volume' in mount && isObj(mount.volume) && Object.keys(mount.volume).length === 0) delete mount.volume;
}

function checkDefinition(def: Obj, path: ComposePath, refuse: Refuse): void {
  refuseKeys(def, path, DEFINITION_KEYS[String(path[0])] ?? {}, refuse);
  if (isObj(def.external)) {
    const name = typeof def.external.name === 'string' ? `name: ${def.external.name}` : 'name:';
    refuse([...path, 'external'], `external: { name } is not supported by bosun: write ${name} with external: true`);
    def.external = true;
  }
  const ipam = def.ipam;
  if (path[0] === 'networks' && isObj(ipam)) {
    refuseKeys(ipam, [...path, 'ipam'], { driver: '', options: '' }, refuse);
    if (Array.isArray(ipam.config)) {
      ipam.config.forEach((c, i) => {
        if (isObj(c)) refuseKeys(c, [...path, 'ipam', 'config', i], { aux_addresses: '' }, refuse);
      });
    }
  }
}
