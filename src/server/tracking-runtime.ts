import type { ObservedContainer } from '../model/observed.ts';
import type { ContainerBlueprint } from '../model/plan.ts';
import type { ContainerRuntime } from '../ports.ts';
import type { OwnActivity } from './own-activity.ts';

/**
 * The engine as the pipeline sees it, plus a note of every container bosun removes: the drift
 * watcher must not mistake bosun's own replacements for a container dying.
 */
export class TrackingRuntime implements ContainerRuntime {
  constructor(
    private readonly inner: ContainerRuntime,
    private readonly activity: OwnActivity,
    private readonly now: () => number = Date.now,
  ) {}

  ping(): Promise<void> {
    return this.inner.ping();
  }
  listContainers(project: string): Promise<ObservedContainer[]> {
    return this.inner.listContainers(project);
  }
  listNetworks(project: string): Promise<string[]> {
    return this.inner.listNetworks(project);
  }
  listVolumes(project: string): Promise<string[]> {
    return this.inner.listVolumes(project);
  }
  createNetwork(name: string, driver: string, internal: boolean, labels: Record<string, string>): Promise<void> {
    return this.inner.createNetwork(name, driver, internal, labels);
  }
  createVolume(name: string, driver: string, labels: Record<string, string>): Promise<void> {
    return this.inner.createVolume(name, driver, labels);
  }
  ensureImage(ref: string): Promise<string> {
    return this.inner.ensureImage(ref);
  }
  createAndStart(bp: ContainerBlueprint, extraLabels: Record<string, string>): Promise<string> {
    return this.inner.createAndStart(bp, extraLabels);
  }
  waitReady(id: string, timeoutMs: number): Promise<void> {
    return this.inner.waitReady(id, timeoutMs);
  }
  monitor(id: string, ms: number): Promise<void> {
    return this.inner.monitor(id, ms);
  }
  rename(idOrName: string, name: string): Promise<void> {
    return this.inner.rename(idOrName, name);
  }
  remove(id: string, stopTimeoutSec: number): Promise<void> {
    // noted before the call: the engine emits kill/die/destroy while it is still in progress
    this.activity.removing(id, this.now());
    return this.inner.remove(id, stopTimeoutSec);
  }
}
