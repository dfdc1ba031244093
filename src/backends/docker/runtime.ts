import type Docker from 'dockerode';
import { BosunError, Codes } from '../../errors.ts';
import type { ComposeContainer, ContainerBlueprint, ObservedContainer } from './model.ts';
import { connectDocker, dockerError, type EngineAddress, engineMessage, statusCode, withDeadline } from './connect.ts';
import type { DockerTarget } from './host.ts';
import type { TlsMaterial } from './tls.ts';
import { createOptions } from './create-options.ts';
import { endpointConfig } from './engine-options.ts';
import { filesArchive } from './files.ts';
import { Label, projectFilter } from '../../model/labels.ts';
import type { RunContext } from '../backend.ts';
import { type BuildOperation, buildOptions, contextOf, followBuild, startBuild } from './build.ts';
import { type ProjectSplit, splitByProject, toObserved } from './observe.ts';
import { monitorReady, waitReady } from './wait-ready.ts';

const PING_DEADLINE_MS = 5000;

/** The Docker engine, as the Docker back end calls it. Every failure leaves as a BosunError. */
export class DockerRuntime implements EngineAddress {
  readonly docker: Docker;
  readonly endpoint: string;
  readonly tls?: TlsMaterial;
  readonly ssh?: boolean;

  constructor(target: DockerTarget | string) {
    const conn = connectDocker(target);
    this.docker = conn.docker;
    this.endpoint = conn.endpoint;
    this.tls = conn.tls;
    this.ssh = conn.ssh;
  }

  async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw dockerError(err, this, doing);
    }
  }

  async ping(): Promise<void> {
    await this.call('ping', () => withDeadline(this.docker.ping(), PING_DEADLINE_MS, this.endpoint));
  }

  async listContainers(project: string): Promise<ObservedContainer[]> {
    const list = await this.call('list containers', () =>
      this.docker.listContainers({ all: true, filters: projectFilter(project) }),
    );
    return list.map(toObserved).filter((c): c is ObservedContainer => c !== undefined);
  }

  /** Containers of a `docker compose` stack of the same name that bosun does not own. */
  async listComposeHeld(project: string): Promise<ComposeContainer[]> {
    const list = await this.call('list compose containers', () =>
      this.docker.listContainers({ all: true, filters: composeFilter(project) }),
    );
    return list
      .filter((c) => c.Labels?.[Label.project] === undefined)
      .map(composeContainer)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Every network of the engine, split: the project's (bosun's, and those `docker compose` made
   * for a project of the same name, which bosun uses as found) and the others' names, among
   * which a network the format names (compose's `name:`, `external`) may already exist.
   */
  async listNetworks(project: string): Promise<ProjectSplit> {
    const all = await this.call('list networks', () => this.docker.listNetworks());
    return splitByProject(
      project,
      all.map((n) => ({ name: n.Name, labels: n.Labels })),
    );
  }

  /** Every volume of the engine, split the same way: a stack compose ran keeps its data where it is. */
  async listVolumes(project: string): Promise<ProjectSplit> {
    const all = await this.call('list volumes', () => this.docker.listVolumes());
    return splitByProject(
      project,
      (all.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels })),
    );
  }

  async createNetwork(name: string, driver: string, internal: boolean, labels: Record<string, string>): Promise<void> {
    await this.call(`create network ${name}`, () =>
      this.docker.createNetwork({
        Name: name,
        Driver: driver,
        Internal: internal,
        Labels: labels,
        CheckDuplicate: true,
      }),
    );
  }

  async createVolume(name: string, driver: string, labels: Record<string, string>): Promise<void> {
    await this.call(`create volume ${name}`, () =>
      this.docker.createVolume({ Name: name, Driver: driver, Labels: labels }),
    );
  }

  /** Gone already is fine; in use (a container attached since the plan) fails, naming the engine's reason. */
  async removeNetwork(name: string): Promise<void> {
    await this.ignoreMissing(() => this.docker.getNetwork(name).remove(), `remove network ${name}`, [404]);
  }

  async removeVolume(name: string): Promise<void> {
    await this.ignoreMissing(() => this.docker.getVolume(name).remove(), `remove volume ${name}`, [404]);
  }

  /** Tags of the images bosun built → the identity each was built for (one list call). */
  async builtImages(): Promise<Record<string, string>> {
    const list = await this.call('list images', () =>
      this.docker.listImages({ filters: { label: [Label.buildIdentity] } }),
    );
    const out: Record<string, string> = {};
    for (const image of list)
      for (const tag of image.RepoTags ?? [])
        if (tag !== '<none>:<none>') out[tag] = image.Labels?.[Label.buildIdentity] ?? '';
    return out;
  }

  /**
   * Builds `op`'s image unless its tag holds that identity already (an apply that repeats, a
   * rollback to a build still present). The engine's message is the error, before any
   * container of the plan is touched (builds run in the plan's first phase).
   */
  async build(op: BuildOperation, ctx: RunContext): Promise<void> {
    if ((await this.inspect(op.image))?.Config?.Labels?.[Label.buildIdentity] === op.build.identity) return;
    const { tar, buildkit } = await contextOf(op, ctx);
    const started = await this.call(`build ${op.image}`, () =>
      startBuild(this.docker, tar, buildOptions(op, ctx.project, buildkit.length > 0)),
    );
    await followBuild(this.docker, started, op, ctx.log, buildkit);
  }

  /** `platform`: pulled for that platform (os/arch[/variant]) when missing, as the engine's API takes it. */
  async ensureImage(ref: string, platform?: string): Promise<string> {
    const local = await this.inspectImage(ref);
    if (local) return local;
    await this.pull(ref, platform);
    const pulled = await this.inspectImage(ref);
    if (!pulled) throw new BosunError(Codes.imageMissing, `image ${ref} is still missing after a pull`);
    return pulled;
  }

  private async inspectImage(ref: string): Promise<string | undefined> {
    return (await this.inspect(ref))?.Id;
  }

  private async inspect(ref: string): Promise<Docker.ImageInspectInfo | undefined> {
    try {
      return await this.docker.getImage(ref).inspect();
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw dockerError(err, this, `inspect image ${ref}`);
    }
  }

  /** followProgress does not reject on errors inside the stream, so its events are checked too. */
  private async pull(ref: string, platform?: string): Promise<void> {
    try {
      const stream = await this.docker.pull(ref, platform ? { platform } : {});
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
          const inStream = events?.find((e) => e.error)?.error;
          if (err || inStream) reject(err ?? new Error(inStream));
          else resolve();
        });
      });
    } catch (err) {
      const e = dockerError(err, this, 'pull');
      if (e.code === Codes.dockerUnreachable) throw e;
      throw new BosunError(
        Codes.imageMissing,
        `image ${ref} is not present locally and could not be pulled: ${engineMessage(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  async createAndStart(bp: ContainerBlueprint, extraLabels: Record<string, string>): Promise<string> {
    return this.call(`create container ${bp.name}`, async () => {
      const container = await this.docker.createContainer(createOptions(bp, extraLabels));
      for (const net of bp.networks.slice(1)) {
        const EndpointConfig = endpointConfig(bp.options, net, bp.alias);
        await this.docker.getNetwork(net).connect({ Container: container.id, EndpointConfig });
      }
      if (bp.files.length > 0 || bp.copies?.length)
        await container.putArchive(await filesArchive(bp.files, bp.copies), { path: '/' });
      await container.start();
      return container.id;
    });
  }

  async waitReady(id: string, timeoutMs: number): Promise<void> {
    await this.call('wait for container', () => waitReady(this.docker, id, timeoutMs));
  }

  async monitor(id: string, ms: number): Promise<void> {
    await this.call('monitor container', () => monitorReady(this.docker, id, ms));
  }

  async rename(idOrName: string, name: string): Promise<void> {
    await this.call(`rename container ${idOrName} to ${name}`, () =>
      this.docker.getContainer(idOrName).rename({ name }),
    );
  }

  /** Stops then removes; anonymous volumes are kept (v: false) because volumes hold user data. */
  async remove(id: string, stopTimeoutSec: number): Promise<void> {
    const c = this.docker.getContainer(id);
    await this.ignoreMissing(() => c.stop({ t: stopTimeoutSec }), `stop container ${id.slice(0, 12)}`);
    await this.ignoreMissing(() => c.remove({ force: true, v: false }), `remove container ${id.slice(0, 12)}`);
  }

  private async ignoreMissing(fn: () => Promise<unknown>, doing: string, fine = [404, 304, 409]): Promise<void> {
    try {
      await fn();
    } catch (err) {
      const code = statusCode(err);
      if (code !== undefined && fine.includes(code)) return;
      throw dockerError(err, this, doing);
    }
  }
}

const composeFilter = (project: string) => ({ label: [`com.docker.compose.project=${project}`] });

function composeContainer(c: Docker.ContainerInfo): ComposeContainer {
  const number = Number(c.Labels?.['com.docker.compose.container-number']);
  return {
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
    service: c.Labels?.['com.docker.compose.service'] ?? '',
    replica: Number.isInteger(number) ? number : 0,
  };
}
