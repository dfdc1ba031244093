import type { DesiredState, RepoCopySpec, ServiceSpec } from '../../../model/desired.ts';
import type { ContainerBlueprint, ContainerOperation as Operation, DockerObserved } from '../model.ts';

/**
 * The images to build before anything starts: one per built service that creates or replaces a
 * container, unless its tag already holds an image built for the same identity. A service left
 * alone needs no image, even when its tag was removed since.
 */
export function planBuilds(desired: DesiredState, observed: DockerObserved, ops: Operation[]): Operation[] {
  const starting = new Set(
    ops.flatMap((op) => (op.kind === 'create-container' || op.kind === 'replace-container' ? [op.service] : [])),
  );
  const images = observed.images ?? {};
  return desired.services.flatMap((s): Operation[] => {
    if (!s.build || !starting.has(s.name)) return [];
    const held = images[s.image];
    if (held === s.build.identity) return [];
    const cause = held === undefined ? `image ${s.image} missing` : `image ${s.image} holds another build`;
    return [{ kind: 'build-image', service: s.name, image: s.image, build: s.build, cause }];
  });
}

/** What the plan says of copies: they are taken at the revision, not mounted live. */
export function copyNotes(desired: DesiredState, ops: Operation[]): string[] {
  const starting = new Set(
    ops.flatMap((op) => (op.kind === 'create-container' || op.kind === 'replace-container' ? [op.service] : [])),
  );
  return desired.services
    .filter((s) => s.copies?.length && starting.has(s.name))
    .flatMap((s) =>
      s.copies!.map((c) => `${s.name}: ./${c.source} copied in at ${c.target} (a copy, not a live mount)`),
    );
}

const READ_ONLY = 0o444;
const WRITABLE = 0o644;
const EXECUTE = 0o111;

/**
 * The service's repo copies as files at their paths in the container. Read-only is a file mode
 * (no write bits): a copy is not a mount, so root inside the container can still change it.
 */
export function copiedFiles(service: ServiceSpec): ContainerBlueprint['copies'] {
  if (!service.copies?.length) return undefined;
  return service.copies.flatMap((c) => filesOf(c));
}

function filesOf(c: RepoCopySpec): NonNullable<ContainerBlueprint['copies']> {
  const executable = new Set(c.executable ?? []);
  return Object.entries(c.content).map(([below, base64]) => {
    const mode = (c.readOnly ? READ_ONLY : WRITABLE) | (executable.has(below) ? EXECUTE : 0);
    return { path: below === '' ? c.target : `${c.target.replace(/\/+$/, '')}/${below}`, base64, mode };
  });
}
