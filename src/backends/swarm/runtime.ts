/** A swarm manager, as the Swarm back end calls it. Every failure leaves as a BosunError. */
import { BosunError, Codes } from '../../errors.ts';
import { Label, projectFilter } from '../../model/labels.ts';
import { dockerError, statusCode } from '../docker/connect.ts';
import { DockerRuntime } from '../docker/runtime.ts';
import type { ObservedNode, ObservedService, SwarmFileObject } from './model.ts';
import { toNode, toService, toTask } from './observe.ts';

export class SwarmRuntime extends DockerRuntime {
  /** Fails with a clear error when the engine is no swarm manager: bosun never creates a swarm. */
  async requireManager(): Promise<void> {
    const info = await this.call('read swarm state', () => this.docker.info());
    const swarm = info.Swarm ?? {};
    if (swarm.LocalNodeState !== 'active' || !swarm.ControlAvailable)
      throw new BosunError(
        Codes.usage,
        `${this.endpoint} is not a swarm manager (state: ${swarm.LocalNodeState || 'inactive'}): point --docker-host at a manager, or use --backend docker`,
      );
  }

  async listServices(project: string): Promise<ObservedService[]> {
    const [services, tasks] = await Promise.all([
      this.call('list services', () => this.docker.listServices({ filters: projectFilter(project) })),
      this.call('list tasks', () => this.docker.listTasks({ filters: { label: [`${Label.project}=${project}`] } })),
    ]);
    return services
      .map((s) => toService(s, tasks.filter((t) => t.ServiceID === s.ID).map(toTask)))
      .filter((s): s is ObservedService => s !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async serviceTasks(serviceId: string): Promise<ReturnType<typeof toTask>[]> {
    const tasks = await this.call('list tasks', () => this.docker.listTasks({ filters: { service: [serviceId] } }));
    return tasks.map(toTask);
  }

  async inspectService(id: string): Promise<ObservedService | undefined> {
    const raw = await this.call('inspect service', () => this.docker.getService(id).inspect());
    return toService(raw, []);
  }

  async listNodes(): Promise<ObservedNode[]> {
    return (await this.call('list nodes', () => this.docker.listNodes())).map(toNode);
  }

  async listFiles(project: string): Promise<{ configs: string[]; secrets: string[] }> {
    const filters = projectFilter(project);
    const [configs, secrets] = await Promise.all([
      this.call('list configs', () => this.docker.listConfigs({ filters })),
      this.call('list secrets', () => this.docker.listSecrets({ filters })),
    ]);
    const names = (list: { Spec?: { Name?: string } }[]) => list.map((o) => o.Spec?.Name ?? '').sort();
    return { configs: names(configs), secrets: names(secrets) };
  }

  async createFile(o: SwarmFileObject): Promise<void> {
    const body = { Name: o.name, Labels: o.labels, Data: o.data };
    try {
      await (o.kind === 'secret' ? this.docker.createSecret(body) : this.docker.createConfig(body));
    } catch (err) {
      // named by content: one made by an earlier, interrupted pass holds the same bytes
      if (statusCode(err) === 409) return;
      throw this.fail(err, `create ${o.kind} ${o.name}`);
    }
  }

  /** In use (a service still reads it, e.g. after a failed update) is left for a later pass. */
  async removeFile(kind: 'config' | 'secret', name: string): Promise<void> {
    try {
      await (kind === 'secret' ? this.docker.getSecret(name).remove() : this.docker.getConfig(name).remove());
    } catch (err) {
      const code = statusCode(err);
      if (code === 404 || code === 400 || code === 409) return;
      throw this.fail(err, `remove ${kind} ${name}`);
    }
  }

  async createOverlay(name: string, internal: boolean, labels: Record<string, string>): Promise<void> {
    await this.call(`create network ${name}`, () =>
      this.docker.createNetwork({
        Name: name,
        Driver: 'overlay',
        Attachable: true,
        Internal: internal,
        Labels: labels,
        CheckDuplicate: true,
      }),
    );
  }

  async removeService(id: string): Promise<void> {
    try {
      await this.docker.getService(id).remove();
    } catch (err) {
      if (statusCode(err) === 404) return;
      throw this.fail(err, `remove service ${id.slice(0, 12)}`);
    }
  }

  private fail(err: unknown, doing: string): BosunError {
    return dockerError(err, this, doing);
  }
}
