/**
 * compose's extension fields (`x-*`) mean nothing to bosun: they are dropped wherever the
 * compose spec allows them, i.e. everywhere but where keys are names or data (services,
 * environment, labels, options…), where `x-foo` is a name like any other.
 */
import { isObj, type Obj } from './tree.ts';

/** Mappings whose keys are names or data, by their path (`*`: any key or index). */
const DATA_KEYS = new Set(
  [
    'services',
    'networks',
    'volumes',
    'secrets',
    'configs',
    'services.*.environment',
    'services.*.labels',
    'services.*.annotations',
    'services.*.sysctls',
    'services.*.extra_hosts',
    'services.*.ulimits',
    'services.*.storage_opt',
    'services.*.networks',
    'services.*.depends_on',
    'services.*.logging.options',
    'services.*.build.args',
    'services.*.build.labels',
    'services.*.build.additional_contexts',
    'services.*.deploy.labels',
    'services.*.networks.*.driver_opts',
    'networks.*.labels',
    'networks.*.driver_opts',
    'networks.*.ipam.options',
    'networks.*.ipam.config.*.aux_addresses',
    'volumes.*.labels',
    'volumes.*.driver_opts',
    'secrets.*.labels',
    'secrets.*.driver_opts',
    'configs.*.labels',
  ].map((p) => p),
);

export function stripExtensions(model: Obj): void {
  walk(model, []);
}

function walk(node: unknown, path: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, [...path, '*']);
    return;
  }
  if (!isObj(node)) return;
  const generic = path.map((seg, i) => (i === 1 || (i === 3 && path[2] === 'networks') ? '*' : seg)).join('.');
  const data = DATA_KEYS.has(generic);
  for (const key of Object.keys(node)) {
    if (!data && key.startsWith('x-')) delete node[key];
    else walk(node[key], [...path, key]);
  }
}
