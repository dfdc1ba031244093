/**
 * The compose keys bosun refuses, with what to do instead. Keys of the compose specification
 * that are neither here nor in schemas/compose.schema.json get the schema's "unknown field".
 */

/** Service keys: key → the alternative (empty: none to offer). */
export const SERVICE_KEYS: Record<string, string> = {
  volumes_from: 'share a named volume between the services instead',
  links: 'services on a shared network reach each other by service name (use networks, with aliases for other names)',
  external_links: "attach the service to the other stack's network (an external network) and use its service names",
  develop: 'compose watch is a development tool; bosun deploys what is committed',
  gpus: '',
  pid: '',
  ipc: '',
  uts: '',
  userns_mode: '',
  cgroup: '',
  cgroup_parent: '',
  isolation: '',
  runtime: '',
  security_opt: '',
  device_cgroup_rules: '',
  group_add: '',
  mac_address: '',
  domainname: '',
  oom_kill_disable: '',
  oom_score_adj: '',
  pids_limit: '',
  cpu_count: 'use deploy.resources.limits.cpus',
  cpu_percent: 'use deploy.resources.limits.cpus',
  cpu_shares: 'use deploy.resources.limits.cpus',
  cpu_quota: 'use deploy.resources.limits.cpus',
  cpu_period: 'use deploy.resources.limits.cpus',
  cpu_rt_period: '',
  cpu_rt_runtime: '',
  cpuset: '',
  blkio_config: '',
  mem_reservation: 'use deploy.resources.limits.memory',
  mem_swappiness: '',
  memswap_limit: '',
  storage_opt: '',
  credential_spec: '',
  annotations: 'use labels',
  attach: '',
  label_file: 'write the labels in labels:',
  post_start: '',
  pre_stop: '',
  pull_policy: 'bosun pulls an image when the host does not have it, and builds build: images from the repo',
  provider: '',
  models: '',
  use_api_socket: '',
};

/** Keys under `build:` bosun does not pass on: the build is made from the git tree with context, dockerfile, target and args. */
export const BUILD_KEYS: Record<string, string> = {
  ssh: 'build-time SSH needs BuildKit and an agent on the controller: vendor what the build fetches into the repo',
  secrets: 'pass what the build needs as build args, or COPY it from the context',
  dockerfile_inline: 'commit the Dockerfile to the build context',
  additional_contexts: 'put what the build needs inside its context',
  cache_from: '',
  cache_to: '',
  no_cache: '',
  pull: '',
  network: '',
  platforms: "use the service's platform",
  tags: 'bosun tags a built image <project>-<service>:<id>, or with image:',
  labels: '',
  shm_size: '',
  extra_hosts: '',
  isolation: '',
  privileged: '',
  entitlements: '',
  ulimits: '',
  provenance: '',
  sbom: '',
};

export const DEPLOY_KEYS: Record<string, string> = {
  placement: 'bosun runs a stack on one Docker host (placement comes with multi-host support)',
  endpoint_mode: '',
  labels: "use the service's labels",
  rollback_config: 'bosun rolls back by deploy.update_config.failure_action: rollback',
  restart_policy: "use the service's restart",
};

/** A service's entry in `networks:` */
export const SERVICE_NETWORK_KEYS: Record<string, string> = {
  ipv6_address: '',
  link_local_ips: '',
  mac_address: '',
  driver_opts: '',
  priority: '',
  gw_priority: '',
  interface_name: '',
};

/** Top-level definitions: section → key → alternative. */
export const DEFINITION_KEYS: Record<string, Record<string, string>> = {
  networks: { driver_opts: '', enable_ipv4: '', enable_ipv6: '' },
  volumes: {},
  secrets: {
    external: "bosun has no secret store of the engine's: use file: or environment:",
    name: '',
    driver: '',
    driver_opts: '',
    template_driver: '',
    labels: '',
  },
  configs: {
    external: "bosun has no config store of the engine's: use file:, content: or environment:",
    name: '',
    template_driver: '',
    labels: '',
  },
};
