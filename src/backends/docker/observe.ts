import type Docker from 'dockerode';
import type { SpecRecord } from '../../model/observed.ts';
import type { ObservedContainer } from './model.ts';
import { Label } from '../../model/labels.ts';
import { sortedUnique } from '../../model/sort.ts';

type Summary = Docker.ContainerInfo;

/**
 * Reads everything from the list endpoint alone (no inspect per container), so observing
 * N containers costs one API call. Health and exit code are only in the Status text there.
 */
export function toObserved(c: Summary): ObservedContainer | undefined {
  const labels = c.Labels ?? {};
  const service = labels[Label.service];
  const replica = Number(labels[Label.replica]);
  if (!service || !Number.isInteger(replica)) return undefined;
  const release = Number(labels[Label.release]);
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? '').replace(/^\//, ''),
    service,
    replica,
    specHash: labels[Label.specHash] ?? '',
    spec: parseSpec(labels[Label.spec]),
    release: Number.isInteger(release) && release > 0 ? release : undefined,
    revision: labels[Label.revision] || undefined,
    image: c.Image,
    imageId: c.ImageID || undefined,
    state: c.State,
    health: healthOf(c.Status ?? ''),
    exitCode: exitCodeOf(c.Status ?? ''),
  };
}

function parseSpec(text: string | undefined): SpecRecord | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as SpecRecord;
  } catch {
    return undefined;
  }
}

function healthOf(status: string): ObservedContainer['health'] {
  if (status.includes('(healthy)')) return 'healthy';
  if (status.includes('(unhealthy)')) return 'unhealthy';
  if (status.includes('health: starting')) return 'starting';
  return 'none';
}

function exitCodeOf(status: string): number | undefined {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : undefined;
}

/** Names of the project's networks or volumes, and of every other one on the engine (both sorted). */
export interface ProjectSplit {
  own: string[];
  others: string[];
}

/** The project's: labelled by bosun for it, or by docker compose for a project of the same name. */
export function splitByProject(
  project: string,
  all: { name: string; labels?: Record<string, string> | null }[],
): ProjectSplit {
  const own: string[] = [];
  const others: string[] = [];
  for (const { name, labels } of all) {
    const mine = labels?.[Label.project] === project || labels?.['com.docker.compose.project'] === project;
    (mine ? own : others).push(name);
  }
  return { own: sortedUnique(own), others: sortedUnique(others) };
}
