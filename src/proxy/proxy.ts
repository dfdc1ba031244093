import type { EtcdClient } from '../store/etcd/kv.ts';
import { type PrefixWatch, watchPrefixes } from '../store/etcd/watch.ts';
import { backendsOf, type ProjectView, type RenderOptions, renderHaproxy } from './config.ts';
import type { Haproxy } from './haproxy.ts';
import { projectsOf, type Route } from './routes.ts';
import { viewOf, watchedPrefixes } from './view.ts';

export interface LocalProxyOptions {
  etcd: EtcdClient;
  routes: Route[];
  haproxy: Haproxy;
  render: RenderOptions;
  log: (line: string) => void;
}

/**
 * `bosun proxy`: watches the endpoints (and drain markers) of the routes' projects in etcd and
 * keeps haproxy's configuration equal to what they say. Renders are serialized and coalesced:
 * a burst of changes (a publisher's sync) costs one reload, and a render equal to the running
 * one costs none.
 */
export class LocalProxy {
  private readonly views = new Map<string, ProjectView>();
  private readonly watches: PrefixWatch[] = [];
  private running: string | undefined;
  private dirty = false;
  private loop: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly o: LocalProxyOptions) {}

  /** Reads every project, starts haproxy on that, then follows the changes. */
  async start(): Promise<void> {
    for (const project of projectsOf(this.o.routes)) {
      const watch = await watchPrefixes(this.o.etcd, watchedPrefixes(project), {
        change: (keys) => this.changed(project, keys),
        trouble: (err) => this.o.log(`etcd watch of ${project}: ${err.message} (resuming)`),
      });
      this.watches.push(watch);
    }
    const config = this.render();
    await this.o.haproxy.start(config);
    this.running = config;
    this.describe();
  }

  get pid(): number | undefined {
    return this.o.haproxy.pid;
  }

  /** Resolves once the configuration haproxy runs reflects every change seen so far. */
  async settled(): Promise<void> {
    for (let loop = this.loop; loop !== undefined; loop = this.loop) await loop;
  }

  async stop(): Promise<void> {
    this.closed = true;
    await Promise.all(this.watches.map((w) => w.close()));
    await this.settled();
    await this.o.haproxy.stop();
  }

  private changed(project: string, keys: ReadonlyMap<string, string>): void {
    const { view, skipped } = viewOf(project, keys);
    for (const key of skipped) this.o.log(`ignored ${key}: not an endpoint`);
    this.views.set(project, view);
    if (this.running === undefined || this.closed) return;
    this.dirty = true;
    this.loop ??= this.reloadWhileDirty().finally(() => (this.loop = undefined));
  }

  private async reloadWhileDirty(): Promise<void> {
    while (this.dirty && !this.closed) {
      this.dirty = false;
      const config = this.render();
      if (config === this.running) continue;
      try {
        await this.o.haproxy.reload(config);
        this.running = config;
        this.describe();
      } catch (err) {
        this.o.log(`reload refused, haproxy keeps the previous configuration: ${(err as Error).message}`);
      }
    }
  }

  private render(): string {
    return renderHaproxy(this.o.routes, this.views, this.o.render);
  }

  private describe(): void {
    for (const route of this.o.routes) {
      const backends = backendsOf(route, this.views.get(route.project));
      const list = backends.map((e) => `${e.service}.${e.replica}@${e.host}:${e.port}`).join(', ') || 'no replica';
      this.o.log(`${route.host}:${route.port} → ${route.project}/${route.service}: ${list}`);
    }
  }
}
