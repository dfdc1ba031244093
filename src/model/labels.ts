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
  /** on an image bosun built: the identity of what it was built from (BuildSpec.identity) */
  buildIdentity: 'bosun.build.identity',
} as const;

export function projectFilter(project: string): { label: string[] } {
  return { label: [`${Label.project}=${project}`] };
}
