import diff from 'microdiff';
import type { ConfigSpec, DesiredState } from '../../model/desired.ts';
import { maskSecrets } from '../../model/mask.ts';
import type { FieldChange } from '../../model/plan.ts';

/** What one release changed in one declared thing, field by field. */
export interface DiffSection {
  kind: 'Service' | 'Config' | 'Network' | 'Volume' | 'Project';
  name: string;
  change: 'added' | 'removed' | 'changed';
  fields: FieldChange[];
}

type Named = { name: string };

/**
 * Pure: a release's plan as people review it — what its desired state changed against the
 * release before (none: everything added). Releases record their operations as lines, not
 * field values, and the state they ran is all that is needed to show the fields: no engine
 * is asked. Secret values never leave here unmasked: a secret Config's changed key is a
 * change flagged `secret`, everything else is diffed after maskSecrets.
 */
export function releaseDiff(before: DesiredState | undefined, after: DesiredState): DiffSection[] {
  const b = before ? maskSecrets(before) : undefined;
  const a = maskSecrets(after);
  const sections = [
    ...byName('Service', b?.services ?? [], a.services),
    ...configSections(before?.configs ?? [], after.configs),
    ...byName('Network', b?.networks ?? [], a.networks),
    ...byName('Volume', b?.volumes ?? [], a.volumes),
  ];
  const project = fields(b?.project ?? {}, a.project);
  if (b && project.length > 0)
    sections.unshift({ kind: 'Project', name: a.project.name, change: 'changed', fields: project });
  return sections;
}

function byName<T extends Named>(kind: DiffSection['kind'], before: T[], after: T[]): DiffSection[] {
  const old = new Map(before.map((x) => [x.name, x]));
  const out: DiffSection[] = [];
  for (const x of after) {
    const was = old.get(x.name);
    const f = fields(was ?? {}, x);
    if (!was) out.push({ kind, name: x.name, change: 'added', fields: f });
    else if (f.length > 0) out.push({ kind, name: x.name, change: 'changed', fields: f });
    old.delete(x.name);
  }
  for (const x of old.values()) out.push({ kind, name: x.name, change: 'removed', fields: fields(x, {}) });
  return out;
}

function configSections(before: ConfigSpec[], after: ConfigSpec[]): DiffSection[] {
  // masked for everything but the data of secret Configs, compared on their real values
  const mask = (c: ConfigSpec) => ({ ...maskSecrets(c), data: c.secret ? {} : c.data });
  const sections = byName('Config', before.map(mask), after.map(mask));
  const old = new Map(before.map((c) => [c.name, c]));
  for (const c of after) {
    const was = old.get(c.name);
    if (!c.secret && !was?.secret) continue;
    const secretFields = secretData(was, c);
    if (secretFields.length === 0) continue;
    const section = sections.find((s) => s.name === c.name);
    if (section) section.fields.push(...secretFields);
    else sections.push({ kind: 'Config', name: c.name, change: 'changed', fields: secretFields });
  }
  return sections;
}

function secretData(was: ConfigSpec | undefined, now: ConfigSpec): FieldChange[] {
  const keys = new Set([...Object.keys(was?.data ?? {}), ...Object.keys(now.data)]);
  return [...keys]
    .filter((k) => was?.data[k] !== now.data[k])
    .sort()
    .map((k) => ({ path: `data.${k}`, from: was?.data[k], to: now.data[k], secret: true }));
}

/** Field changes between two plain objects as `a.b[0].c` paths, sorted. */
function fields(before: object, after: object): FieldChange[] {
  return diff(before as Record<string, unknown>, after as Record<string, unknown>)
    .map((c) => ({
      path: c.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join(''),
      from: c.type === 'CREATE' ? undefined : c.oldValue,
      to: c.type === 'REMOVE' ? undefined : c.value,
    }))
    .filter((c) => c.path !== 'name')
    .sort((x, y) => x.path.localeCompare(y.path));
}
