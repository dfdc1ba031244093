import { formatIssue } from '../errors.ts';
import { buildkitWarnings } from '../formats/dockerfile-buildkit.ts';
import { loadDesiredState } from '../formats/index.ts';
import { maskSecrets } from '../model/mask.ts';
import { resolveSecrets } from '../secrets/resolve.ts';
import { fetchArtifact } from '../source/git.ts';
import { enforcePolicy } from '../policy/check.ts';
import { realHostPath } from '../policy/real-path.ts';
import { hostPolicy } from './policy.ts';
import { loadOptions, secretSources, sourceOptions, type CommonOptions } from './context.ts';
import { isAll, type StackFlags } from './stack-flags.ts';

/**
 * `bosun validate`: the repo at the ref, checked as a reconcile would (sealed values opened
 * with the same identity and host sources), touching nothing.
 */
export async function validateCommand(flags: CommonOptions & StackFlags): Promise<number> {
  if (isAll(flags)) return (await import('./stacks-inspect.ts')).validateAllCommand(flags);
  const secrets = await secretSources(flags);
  const policy = hostPolicy(flags);
  const artifact = await fetchArtifact(sourceOptions(flags));
  const loaded = loadDesiredState(artifact, loadOptions(flags));
  enforcePolicy(loaded, policy, { origin: { repo: artifact.repo, path: artifact.path }, real: realHostPath });
  const desired = await resolveSecrets(loaded, secrets);
  // warnings, not errors: the engine that applies may have a builder that takes them
  const warnings = buildkitWarnings(loaded, artifact).map(formatIssue);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const where = `${artifact.repo}${artifact.path ? `/${artifact.path}` : ''} at ${artifact.revision.slice(0, 12)} (${artifact.ref})`;
  if (flags.output === 'json') {
    process.stdout.write(
      JSON.stringify({ valid: true, revision: artifact.revision, warnings, desired: maskSecrets(desired) }, null, 2) +
        '\n',
    );
    return 0;
  }
  const names = (list: { name: string }[]) => (list.length ? list.map((x) => x.name).join(', ') : '-');
  process.stdout.write(
    [
      `valid: project ${desired.project.name}, ${where}`,
      `  services: ${names(desired.services)}`,
      `  configs:  ${names(desired.configs)}`,
      `  networks: ${names(desired.networks)}`,
      `  volumes:  ${names(desired.volumes)}`,
      '',
    ].join('\n'),
  );
  return 0;
}
