import type { ExecuteContext } from '../apply/execute.ts';
import type { Backend, Teardown } from '../backends/backend.ts';
import type { DesiredState } from '../model/desired.ts';
import type { LoadOptions } from '../formats/format.ts';
import type { ObservedState } from '../model/observed.ts';
import type { Operation, Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { refuseEmpty } from '../plan/empty.ts';
import { assemblePlan, type PlanContext } from '../plan/plan.ts';
import type { Artifact, GitSourceOptions, KvStore } from '../ports.ts';
import { pinHolding } from '../release/down-pin.ts';
import { readPin, type Pin } from '../release/pin.ts';
import { ReleaseStore } from '../release/store.ts';
import { type RecordSealer, unlessUntrusted } from '../trust/sealer.ts';
import { fetchArtifact } from '../source/git.ts';
import { observeKeys } from '../state/observe.ts';
import { BosunError, Codes, formatIssue } from '../errors.ts';
import { buildkitWarnings } from '../formats/dockerfile-buildkit.ts';
import { loadDesiredCached } from './desired-cache.ts';
import { enforcePolicy, type Origin } from '../policy/check.ts';
import { defaultPolicy, type PolicyInForce } from '../policy/defaults.ts';
import { realHostPath } from '../policy/real-path.ts';
import { NO_SECRET_SOURCES, resolveSecrets, type SecretSources } from '../secrets/resolve.ts';
import type { AllowTakeover } from '../release/binding.ts';
import type { BindingClaim } from '../release/binding-record.ts';
import { checkBinding } from './binding.ts';

export interface SessionOptions {
  kv: KvStore;
  /** seals and checks the records bosun acts on (releases, pins, owned keys) */
  sealer: RecordSealer;
  backend: Backend;
  /** where desired state comes from; absent for verbs that work from releases alone */
  source?: GitSourceOptions;
  /** --project: overrides the name the repo gives */
  projectOverride?: string;
  /** everything the format is told beyond the files (--project, --profile, allowed host variables) */
  loadOptions?: LoadOptions;
  /** --take-over-project: hands this project over to this source (it must name the repo's project) */
  takeOverProject?: string;
  /** --adopt-compose: containers docker compose runs for the project are taken over, not refused */
  adoptCompose?: boolean;
  /** a host policy's say on handing a project over to another source, without the flag */
  allowTakeover?: AllowTakeover;
  /** what opens sealed Config values (age identities, host env and files); none: they are issues */
  secrets?: SecretSources;
  /** how long an apply waits for another apply of the project (default 60 s) */
  lockWaitMs?: number;
  /** --history-limit: releases kept, over the Project's historyLimit */
  historyLimit?: number;
  /** one line per applied operation, as it happens */
  progress?: (line: string, op: Operation, ms: number) => void;
  /** lines that are not operations, e.g. "rolling back to release 3" */
  notice?: (line: string) => void;
  /** what an operation prints as it runs (an image build's steps) */
  output?: (line: string) => void;
  /** called just before the back end removes a workload (serve tells drift from its own work) */
  removing?: (id: string) => void;
  /** awaited before the back end stops a workload that may take traffic (bosun proxy drops it first) */
  drain?: ExecuteContext['drain'];
  /** the host policy every desired state must pass before it runs (absent: the built-in default) */
  policy?: PolicyInForce;
  /** resolves a host path's symlinks for the policy (absent: the real file system) */
  realPath?: (p: string) => string;
}

/** A plan together with the snapshot it was computed from (images are resolved against it). */
export interface Planned {
  plan: Plan;
  observed: ObservedState;
}

/** A plan of git at a revision, and the pin that holds it back (a down pin git moved past does not). */
export interface GitPlanned extends Planned {
  artifact: Artifact;
  pinned?: Pin;
  /** the project binding this source writes when it applies (absent: already bound to it) */
  claim?: BindingClaim;
}

/**
 * What one process (a CLI verb, or serve) works with, built once: the state store, its release
 * store, the back end and the source. Every use case (reconcile, heal, rollback, saved plans,
 * status) goes through its steps, so a pass fetches, observes and plans the same way everywhere.
 */
export class Session {
  readonly kv: KvStore;
  readonly sealer: RecordSealer;
  readonly backend: Backend;
  readonly releases: ReleaseStore;
  /** warnings already told (a pass loads its desired state twice; serve runs many passes) */
  private readonly warned = new Set<string>();

  constructor(readonly o: SessionOptions) {
    this.kv = o.kv;
    this.sealer = o.sealer;
    this.backend = o.backend;
    this.releases = new ReleaseStore(o.kv, o.sealer);
  }

  /** The repo at the ref, as an Artifact; one fetch. */
  fetch(overrides: Partial<GitSourceOptions> = {}): Promise<Artifact> {
    if (!this.o.source) throw new BosunError(Codes.usage, 'no repository given (--repo)');
    return fetchArtifact({ ...this.o.source, ...overrides });
  }

  /**
   * The validated desired state of an artifact (loading is cached by its folder's tree id), its
   * sealed values opened afresh each time: a host file or variable may change between passes.
   */
  desired(artifact: Artifact): Promise<DesiredState> {
    const loaded = loadDesiredCached(artifact, this.o.loadOptions ?? { project: this.o.projectOverride });
    this.enforce(loaded, { repo: artifact.repo, path: artifact.path });
    for (const w of buildkitWarnings(loaded, artifact).map(formatIssue)) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      this.o.notice?.(`warning: ${w}`);
    }
    return resolveSecrets(loaded, this.o.secrets ?? NO_SECRET_SOURCES);
  }

  /**
   * The host policy over a desired state about to run (from git, or re-run from a release):
   * throws E_POLICY_DENIED with every violation, so nothing of it is applied.
   */
  enforce(desired: DesiredState, origin: Origin): void {
    enforcePolicy(desired, this.o.policy ?? defaultPolicy(), { origin, real: this.o.realPath ?? realHostPath });
  }

  /** ONE snapshot: the back end's workloads and the keys, read together. */
  async observe(desired: DesiredState, teardown?: Teardown): Promise<ObservedState> {
    const [workloads, keys] = await Promise.all([
      this.backend.observe(desired.project.name, teardown),
      observeKeys(this.kv, this.sealer, desired),
    ]);
    return { ...(workloads as object), ...keys };
  }

  /** Pure: the plan from `desired` to `observed`. */
  plan(desired: DesiredState, observed: ObservedState, at: PlanContext, teardown?: Teardown): Plan {
    // a sealed value is missing from its Config's data: planned, its key would look removed
    const sealed = desired.configs.find((c) => c.sealed);
    if (sealed)
      throw new BosunError(Codes.internal, `Config "${sealed.name}" was planned before its secrets were resolved`);
    const adopt = { compose: this.o.adoptCompose === true };
    return assemblePlan(
      this.backend.name,
      desired,
      observed,
      this.backend.plan(desired, observed, teardown, adopt),
      at,
    );
  }

  /** Observe, then plan (a teardown: `bosun down`, see session/down.ts). */
  async planFor(desired: DesiredState, at: PlanContext, teardown?: Teardown): Promise<Planned> {
    const observed = await this.observe(desired, teardown);
    return { plan: this.plan(desired, observed, at, teardown), observed };
  }

  /**
   * Git at a revision: fetched (unless given), validated, observed and planned, with the pin read
   * alongside. A source the project is not bound to is refused first (E_PROJECT_BOUND).
   */
  async planAt(given?: Artifact): Promise<GitPlanned> {
    const artifact = given ?? (await this.fetch());
    const desired = await this.desired(artifact);
    const claim = await checkBinding(this, desired.project.name, artifact);
    const at = { repo: artifact.repo, ref: artifact.ref, revision: artifact.revision };
    const [pin, planned] = await Promise.all([this.pin(desired.project.name), this.planGit(desired, at)]);
    return { ...planned, artifact, pinned: pinHolding(pin, artifact.revision), ...(claim && { claim }) };
  }

  /**
   * Git's desired state planned, refused when it would empty the project by accident
   * (plan/empty.ts). Releases (rollback, heal) and `bosun down` plan with planFor: they are deliberate.
   */
  async planGit(desired: DesiredState, at: PlanContext): Promise<Planned> {
    const planned = await this.planFor(desired, at);
    const guarded = desired.services.length === 0 && !desired.project.allowEmpty;
    // a release in force that fails its seal adds nothing: the plan's own removals still count
    const inForce = guarded ? await unlessUntrusted(this.releaseInForce(desired.project.name)) : undefined;
    refuseEmpty(desired, planned.plan, inForce?.desired.services.map((s) => s.name) ?? []);
    return planned;
  }

  /** A release's recorded state, planned against what runs now. */
  planRelease(release: Release, desired: DesiredState = release.desired): Promise<Planned> {
    // a release recorded under an older (or no) policy may hold what this host no longer allows
    this.enforce(desired, { repo: release.repo });
    return this.planFor(desired, { repo: release.repo, ref: release.ref, revision: release.revision });
  }

  /** The release the stack should be at: the pinned one, else the latest that succeeded. */
  async releaseInForce(project: string): Promise<Release | undefined> {
    const pin = await this.pin(project);
    if (pin) return this.releases.get(project, pin.release);
    return this.releases.latest(project, 'succeeded');
  }

  /** The project's pin, if there is one that passes its check. */
  pin(project: string): Promise<Pin | undefined> {
    return readPin(this.kv, this.sealer, project);
  }

  close(): Promise<void> {
    return this.kv.close();
  }
}
