/**
 * compose's profiles: a service that names profiles runs only when one of them is active
 * (`*` activates all); the others are left out of the model. A running service may not
 * depend on one left out, unless the dependency says `required: false`.
 */
import type { Issues } from './issues.ts';
import { isObj, type Obj, placeOf, type Pos } from './tree.ts';

export function applyProfiles(model: Obj, active: readonly string[], fallback: Pos, issues: Issues): void {
  const services = isObj(model.services) ? model.services : {};
  const all = Object.keys(services);
  const enabled = new Set(all.filter((name) => isEnabled(services[name], active)));
  for (const name of enabled) checkDependencies(name, services, enabled, fallback, issues);
  for (const name of all) {
    if (!enabled.has(name)) delete services[name];
    else if (isObj(services[name])) delete (services[name] as Obj).profiles;
  }
}

function isEnabled(service: unknown, active: readonly string[]): boolean {
  const profiles = isObj(service) ? service.profiles : undefined;
  if (!Array.isArray(profiles) || profiles.length === 0) return true;
  return active.includes('*') || profiles.some((p) => active.includes(String(p)));
}

function checkDependencies(name: string, services: Obj, enabled: Set<string>, fallback: Pos, issues: Issues): void {
  const service = services[name] as Obj;
  const deps = service.depends_on;
  const path = ['services', name, 'depends_on'];
  const names: [string, string | number][] = Array.isArray(deps)
    ? deps.map((d, i) => [String(d), i])
    : isObj(deps)
      ? Object.keys(deps).map((d) => [d, d])
      : [];
  for (const [dep, key] of names) {
    const at = placeOf(deps as object, key)?.at ?? fallback;
    if (!(dep in services)) {
      issues.add(at, [...path, key], `depends on undefined service "${dep}"`);
      continue;
    }
    if (enabled.has(dep)) continue;
    const entry = isObj(deps) ? deps[dep] : undefined;
    if (isObj(entry) && entry.required === false) {
      delete (deps as Obj)[dep];
      continue;
    }
    const profiles = (services[dep] as Obj).profiles as unknown[];
    const message = `depends on "${dep}", which runs only with profile ${profiles.map(String).join(' or ')} (activate one, or mark the dependency required: false)`;
    issues.add(at, [...path, key], message);
  }
}
