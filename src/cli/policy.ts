/**
 * The host policy as the CLI finds it (`--policy FILE` or BOSUN_POLICY over the built-in
 * default, which also denies this host's engine socket and bosun's own files), and
 * `bosun policy check`: the policy in force, and optionally a repo judged against it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadDesiredState } from '../formats/index.ts';
import type { HostFacts, HostPolicy, PolicyInForce } from '../policy/defaults.ts';
import { describeTrusted } from '../source/signature/verify.ts';
import { enforcePolicy } from '../policy/check.ts';
import { loadPolicy } from '../policy/load.ts';
import { realHostPath } from '../policy/real-path.ts';
import { fetchArtifact } from '../source/git.ts';
import { cacheDirOf, etcdAccess, loadOptions, sourceOptions, stateUrl, type CommonOptions } from './context.ts';

/** The policy every verb that runs a desired state enforces. */
export function hostPolicy(o: CommonOptions): PolicyInForce {
  const file = o.policy ?? (process.env.BOSUN_POLICY || undefined);
  return loadPolicy(file === undefined ? undefined : path.resolve(file), hostFacts(o));
}

/** This host's engine socket and the files bosun itself keeps or reads: never mountable by default. */
export function hostFacts(o: CommonOptions): HostFacts {
  const docker = o.dockerHost?.trim() || process.env.DOCKER_HOST?.trim() || '';
  const dockerSockets = docker.startsWith('unix://') ? [docker.slice('unix://'.length)] : [];
  const access = etcdAccess(o);
  const certDir = process.env.DOCKER_CERT_PATH;
  const own = [
    stateFolder(stateUrl(o)),
    cacheDirOf(o),
    o.ageIdentity ?? process.env.BOSUN_AGE_IDENTITY,
    o.secretsDir ?? process.env.BOSUN_SECRETS_DIR,
    access.cacert,
    access.cert,
    access.key,
    access.passwordFile,
    o.dockerTlscacert,
    o.dockerTlscert,
    o.dockerTlskey,
    certDir,
  ];
  const bosunPaths = own.filter((p): p is string => Boolean(p)).map((p) => path.resolve(p));
  return { dockerSockets: dockerSockets.filter((s) => s.startsWith('/')), bosunPaths };
}

/**
 * The folder of a file: state store (its data file and lock file live side by side), or
 * undefined for etcd.
 */
function stateFolder(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const file = url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length);
  return path.dirname(path.resolve(file));
}

export interface PolicyCheckFlags extends CommonOptions {
  output?: string;
}

/** `bosun policy check`: prints the policy in force; with --repo (or --path) judges that repo too. */
export async function policyCheckCommand(flags: PolicyCheckFlags): Promise<number> {
  const inForce = hostPolicy(flags);
  const shown = {
    source: inForce.file ?? 'built-in default',
    ...(inForce.file ? { setByFile: inForce.fromFile } : {}),
    policy: await shownPolicy(inForce.policy),
  };
  const text = flags.output === 'json' ? `${JSON.stringify(shown, null, 2)}\n` : stringify(shown);
  process.stdout.write(text);
  if (flags.repo === undefined && flags.path === undefined && !process.env.BOSUN_REPO) return 0;
  const artifact = await fetchArtifact(sourceOptions(flags));
  const desired = loadDesiredState(artifact, loadOptions(flags));
  enforcePolicy(desired, inForce, { origin: { repo: artifact.repo, path: artifact.path }, real: realHostPath });
  const where = `${artifact.repo}${artifact.path ? `/${artifact.path}` : ''} at ${artifact.revision.slice(0, 12)}`;
  process.stderr.write(`allowed: project ${desired.project.name}, ${where}\n`);
  return 0;
}

/** The policy as shown: trusted signing keys by file and fingerprint, not their armored text. */
async function shownPolicy(p: HostPolicy): Promise<object> {
  if (!p.git.verify) return p;
  return { ...p, git: { ...p.git, verify: await describeTrusted(p.git.verify) } };
}
