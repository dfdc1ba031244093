/** The labels that mark what bosun owns; nothing without `bosun.project` is ever touched. */
export const Label = {
  project: 'bosun.project',
  service: 'bosun.service',
  replica: 'bosun.replica',
  specHash: 'bosun.spec-hash',
  spec: 'bosun.spec',
  release: 'bosun.release',
  revision: 'bosun.revision',
  network: 'bosun.network',
  volume: 'bosun.volume',
} as const;

export function projectFilter(project: string): { label: string[] } {
  return { label: [`${Label.project}=${project}`] };
}
