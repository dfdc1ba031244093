/**
 * Rules about one schema-valid document that JSON Schema cannot express (or that editors
 * should not flag while the user is still typing).
 */
import type { ManifestIssue } from '../../errors.ts';
import { issueAt } from './locate.ts';
import { specOf } from './raw.ts';
import type { Manifest, Segment, Valid } from './types.ts';
import { validOfKind } from './types.ts';
import { MAX_DURATION_MS, parseDuration, parseMemory } from '../units.ts';

/** Docker refuses smaller memory limits at container creation; say so before anything runs. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;
/** 1024Ti, as in the schema: far past any host, and still an exact integer in a double. */
export const MAX_MEMORY_BYTES = 2 ** 50;

const DURATIONS: Record<'Project' | 'Service', Segment[][]> = {
  Project: [
    ['spec', 'update', 'delay'],
    ['spec', 'update', 'monitor'],
  ],
  Service: [
    ['spec', 'update', 'delay'],
    ['spec', 'update', 'monitor'],
    ['spec', 'healthcheck', 'interval'],
    ['spec', 'healthcheck', 'timeout'],
    ['spec', 'healthcheck', 'startPeriod'],
    ['spec', 'stopGracePeriod'],
  ],
};

export function documentChecks(manifests: Manifest[]): ManifestIssue[] {
  const projects = validOfKind(manifests, 'Project');
  const services = validOfKind(manifests, 'Service');
  return [...[...projects, ...services].flatMap(durationIssues), ...services.flatMap(serviceIssues)];
}

function durationIssues(m: Valid<'Project' | 'Service'>): ManifestIssue[] {
  return DURATIONS[m.kind].flatMap((at) => {
    const text = valueAt(m.src.value, at);
    if (typeof text !== 'string' || parseDuration(text) <= MAX_DURATION_MS) return [];
    return [issueAt(m.src, at, 'is too long (the limit is 596h)')];
  });
}

function serviceIssues(m: Valid<'Service'>): ManifestIssue[] {
  const spec = specOf(m);
  const out: ManifestIssue[] = [];
  const replicas = spec.replicas ?? 1;
  (spec.ports ?? []).forEach((port, i) => {
    if (port.host !== undefined && replicas > 1) {
      out.push(issueAt(m.src, ['spec', 'ports', i, 'host'], 'a fixed host port can serve only one replica'));
    }
    if (port.host !== undefined && spec.update?.order === 'start-first') {
      const message =
        'a fixed host port cannot be updated start-first (the new container could not bind it while the old one runs): use order: stop-first';
      out.push(issueAt(m.src, ['spec', 'update', 'order'], message));
    }
  });
  const targets = new Map<string, number>();
  (spec.volumes ?? []).forEach((mount, i) => {
    const first = targets.get(mount.target);
    if (first === undefined) {
      targets.set(mount.target, i);
      return;
    }
    const message = `"${mount.target}" is already mounted by spec.volumes[${first}]`;
    out.push(issueAt(m.src, ['spec', 'volumes', i, 'target'], message));
  });
  const memory = spec.resources?.memory;
  const bytes = memory === undefined ? MIN_MEMORY_BYTES : parseMemory(memory);
  const at = ['spec', 'resources', 'memory'];
  if (bytes < MIN_MEMORY_BYTES) out.push(issueAt(m.src, at, 'must be at least 6Mi (Docker refuses smaller limits)'));
  if (bytes > MAX_MEMORY_BYTES) out.push(issueAt(m.src, at, 'must be at most 1024Ti'));
  return out;
}

function valueAt(value: unknown, at: Segment[]): unknown {
  let v = value;
  for (const seg of at) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  return v;
}
