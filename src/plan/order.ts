import type { ServiceSpec } from '../model/desired.ts';

/**
 * Services grouped into start-up levels: every service comes after all it dependsOn, and
 * services of one level do not depend on each other (they may start together). Ties sort by
 * name so plans are stable. Cycles are rejected by the manifest layer; any left over land last.
 */
export function dependencyLevels(services: ServiceSpec[]): ServiceSpec[][] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const placed = new Set<string>();
  const levels: ServiceSpec[][] = [];
  let remaining = [...services].sort((a, b) => a.name.localeCompare(b.name));
  while (remaining.length > 0) {
    const ready = remaining.filter((s) => s.dependsOn.every((d) => placed.has(d) || !byName.has(d)));
    const level = ready.length > 0 ? ready : remaining;
    levels.push(level);
    for (const s of level) placed.add(s.name);
    remaining = remaining.filter((s) => !placed.has(s.name));
  }
  return levels;
}
