/**
 * Dependency cycles between services: a cycle has no start order, so the repo is rejected.
 * Self-dependencies and unknown names are reported elsewhere and ignored here.
 */
import type { ManifestIssue } from '../../errors.ts';
import { issueAt } from './locate.ts';
import { specOf } from './raw.ts';
import type { Valid } from './types.ts';
import { compareStrings, sortedUnique } from '../../model/sort.ts';

export function cycleIssues(services: Valid<'Service'>[]): ManifestIssue[] {
  const byName = new Map<string, Valid<'Service'>>();
  for (const s of services) if (!byName.has(s.name)) byName.set(s.name, s);
  const edges = (name: string) =>
    sortedUnique(specOf(byName.get(name)!).dependsOn ?? []).filter((d) => d !== name && byName.has(d));
  return findCycles([...byName.keys()].sort(compareStrings), edges).map((cycle) => {
    const from = byName.get(cycle[0]!)!;
    const index = (specOf(from).dependsOn ?? []).indexOf(cycle[1]!);
    return issueAt(from.src, ['spec', 'dependsOn', index], `dependency cycle: ${[...cycle, cycle[0]].join(' → ')}`);
  });
}

/** Each cycle found by depth-first search, rotated to start at its smallest name, once. */
export function findCycles(nodes: string[], edges: (n: string) => string[]): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found = new Map<string, string[]>();
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const next of edges(n)) {
      if (state.get(next) === 'open') record(found, stack.slice(stack.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of nodes) if (!state.has(n)) visit(n);
  return [...found.values()];
}

function record(found: Map<string, string[]>, cycle: string[]): void {
  const start = cycle.indexOf([...cycle].sort(compareStrings)[0]!);
  const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
  found.set(rotated.join('\u0000'), rotated);
}
