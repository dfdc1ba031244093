/**
 * Engine options that give a container power over its host: privileged mode (every capability
 * and device), the host's network stack (its loopback services, its interfaces), capabilities
 * beyond Docker's default set, and host devices. Each is refused unless the host policy allows
 * it. Pure: `real` (symlink resolution on the host) is injected.
 */
import type { ServiceSpec } from '../model/desired.ts';
import { DOCKER_DEFAULT_CAPS, type HostPolicy } from './defaults.ts';
import { matchesAny } from './glob.ts';
import { normalisePath } from './host-paths.ts';

/** One refused option: the `locations` field it was written at, its fallback path, the rule, the words. */
export interface PowerFinding {
  field: string;
  path: string;
  rule: 'privileged' | 'hostNetwork' | 'capabilities.allow' | 'devices.allow';
  message: string;
}

const DEFAULT_CAPS = new Set(DOCKER_DEFAULT_CAPS);

/** `cap_sys_admin` and `SYS_ADMIN` are one capability. */
export function capabilityName(c: string): string {
  return c.toUpperCase().replace(/^CAP_/, '');
}

export function judgeContainerPower(
  s: ServiceSpec,
  policy: HostPolicy,
  real: (p: string) => string = (p) => p,
): PowerFinding[] {
  const o = s.options;
  if (!o) return [];
  const out: PowerFinding[] = [];
  if (o.privileged === true && !policy.privileged)
    out.push({ field: 'privileged', path: 'spec.options.privileged', rule: 'privileged', message: 'privileged mode' });
  if (o.networkMode === 'host' && !policy.hostNetwork)
    out.push({
      field: 'networkMode',
      path: 'spec.options.networkMode',
      rule: 'hostNetwork',
      message: "the host's network (networkMode host)",
    });
  const allowedCaps = new Set(policy.capabilities.allow.map(capabilityName));
  for (const cap of (o.capAdd ?? []).map(capabilityName)) {
    if (DEFAULT_CAPS.has(cap) || allowedCaps.has(cap) || allowedCaps.has('ALL')) continue;
    const what = cap === 'ALL' ? 'every capability (ALL)' : `capability ${cap}`;
    out.push({ field: `capAdd:${cap}`, path: 'spec.options.capAdd', rule: 'capabilities.allow', message: what });
  }
  for (const d of o.devices ?? []) {
    const refused = deviceRefused(d.host, policy.devices.allow, real);
    if (refused === undefined) continue;
    const shown = refused === normalisePath(d.host) || refused === d.host ? '' : ` (${refused})`;
    out.push({
      field: `device:${d.host}`,
      path: 'spec.options.devices',
      rule: 'devices.allow',
      message: `device ${d.host}${shown}`,
    });
  }
  return out;
}

/**
 * The form of a device path no allow glob matches (as written, normalised, and as the engine
 * will open it with symlinks resolved), or undefined when every form is allowed: a link in an
 * allowed folder must not lead to a disk.
 */
function deviceRefused(host: string, allow: string[], real: (p: string) => string): string | undefined {
  const written = normalisePath(host);
  const forms = [...new Set([written, normalisePath(real(written))])];
  return forms.find((p) => !matchesAny(p, allow.map(normalisePath)));
}
