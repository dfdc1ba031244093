/**
 * The host policy's shape and its built-in default: safe for a host whose repo anyone with
 * push access can change. What the defaults deny is what hands over the host: its system
 * folders, the Docker engine (its socket, its data) and bosun's own state and keys.
 */

import type { TrustedSigners } from '../model/signer.ts';

export interface ProjectRule {
  /** glob over the repo as bosun was given it (URL or local path) */
  repo: string;
  /** glob over the manifests folder inside the repo (`` for the root); absent: any */
  path?: string;
  /** globs over the project names this repo (and path) may manage */
  names: string[];
  /** true: this repo (and path) may take these names over from the source bound to them */
  takeOver?: boolean;
}

export interface HostPolicy {
  hostPaths: { allow: string[]; deny: string[] };
  images: { allow: string[] };
  configPrefixes: { allow: string[] };
  limits: { maxReplicas?: number; maxMemoryBytes?: number };
  /** absent: any repo may manage any project name */
  projects?: ProjectRule[];
  /** privileged containers are refused unless this is true */
  privileged: boolean;
  /** containers on the host's network stack (networkMode host) are refused unless this is true */
  hostNetwork: boolean;
  /** capabilities a container may add beyond Docker's default set (upper case, no `CAP_`; `ALL`: any) */
  capabilities: { allow: string[] };
  /** globs over the host devices a container may be given */
  devices: { allow: string[] };
  /** what git may do to the deployed ref; verify: the commit at the ref must be signed by one of these keys (absent: not checked) */
  git: { refuseForcePush: boolean; verify?: TrustedSigners };
}

/** A policy and where each of its rules came from, for messages that say what to change. */
export interface PolicyInForce {
  policy: HostPolicy;
  /** the policy file; absent: the built-in default alone */
  file?: string;
  /** rules the file set (`hostPaths.allow`, `limits.maxReplicas`, ...); the rest are built-in */
  fromFile: string[];
  /** the deny entries that are built in (the rest of hostPaths.deny came from the file) */
  builtInDeny: string[];
}

/** What the default denies beyond the fixed list: this host's engine socket and bosun's own files. */
export interface HostFacts {
  /** unix socket paths of the engine bosun drives (from DOCKER_HOST / --docker-host) */
  dockerSockets?: string[];
  /** bosun's state file or folder, cache, key and certificate files, secrets dir */
  bosunPaths?: string[];
}

/** `/` is denied too without being listed: a mount of a folder holding a denied path is denied. */
export const BUILT_IN_DENY: readonly string[] = [
  '/boot',
  '/dev',
  '/etc',
  '/proc',
  '/root',
  '/run/containerd',
  '/run/docker.sock',
  '/sys',
  '/var/lib/containerd',
  '/var/lib/docker',
  '/var/run/docker.sock',
];

/**
 * The capabilities the engine gives every container (moby's default set): adding one of them
 * back, typically after `capDrop: [ALL]`, gives nothing new, so no policy has to allow it.
 */
export const DOCKER_DEFAULT_CAPS: readonly string[] = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

export function defaultPolicy(facts: HostFacts = {}): PolicyInForce {
  const deny = [...new Set([...BUILT_IN_DENY, ...(facts.dockerSockets ?? []), ...(facts.bosunPaths ?? [])])].sort();
  return {
    policy: {
      hostPaths: { allow: ['/'], deny },
      images: { allow: ['**'] },
      configPrefixes: { allow: ['/'] },
      limits: {},
      privileged: false,
      hostNetwork: false,
      capabilities: { allow: [] },
      devices: { allow: [] },
      git: { refuseForcePush: false },
    },
    fromFile: [],
    builtInDeny: deny,
  };
}
