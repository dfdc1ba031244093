/**
 * Dependency order between stacks (pure): a stack declaring `dependsOn` is applied after the
 * stacks it names, in the same pass; stacks that depend on nothing run side by side.
 */

export interface Ordered {
  path: string;
  dependsOn: readonly string[];
}

/**
 * A cycle as `[a, b, …, a]` (a depends on b …), or undefined. Dependencies on stacks not in the
 * list are ignored here: discovery refuses them first.
 */
export function findCycle(stacks: readonly Ordered[]): string[] | undefined {
  const byPath = new Map(stacks.map((s) => [s.path, s]));
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (path: string): string[] | undefined => {
    if (state.get(path) === 'done') return undefined;
    if (state.get(path) === 'open') return [...trail.slice(trail.indexOf(path)), path];
    state.set(path, 'open');
    trail.push(path);
    for (const dep of byPath.get(path)?.dependsOn ?? []) {
      if (!byPath.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(path, 'done');
    return undefined;
  };
  for (const s of stacks) {
    const cycle = visit(s.path);
    if (cycle) return cycle;
  }
  return undefined;
}
