/**
 * One Session per stack folder of a cluster repo, made on first use and kept: each has its own
 * source path (the folder under the repo's root), lock, releases, pin and binding, and shares
 * the controller's store, sealer, back end and settings.
 */
import { drainerFor } from '../../coord/drain.ts';
import { Session } from '../../session/session.ts';
import { normalizePath } from '../../source/git.ts';
import type { StacksControllerOptions } from './controller.ts';

export interface StackSessionHooks {
  /** a line of a stack's running pass */
  progress: (stackPath: string, line: string, ms?: number) => void;
  /** bosun itself is removing this container: its events are not drift */
  removing: (containerId: string) => void;
}

export class StackSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly o: StacksControllerOptions,
    private readonly hooks: StackSessionHooks,
  ) {}

  for(stackPath: string): Session {
    let s = this.sessions.get(stackPath);
    if (!s) {
      s = this.open(stackPath);
      this.sessions.set(stackPath, s);
    }
    return s;
  }

  private open(path: string): Session {
    const o = this.o;
    const root = normalizePath(o.source.path);
    return new Session({
      kv: o.kv,
      sealer: o.sealer,
      backend: o.backend,
      source: { ...o.source, path: root ? `${root}/${path}` : path },
      takeOverProject: o.takeOverProject,
      adoptCompose: o.adoptCompose,
      allowTakeover: o.allowTakeover,
      secrets: o.secrets,
      lockWaitMs: o.lockWaitMs,
      historyLimit: o.historyLimit,
      policy: o.policy,
      progress: (line, _op, ms) => {
        o.log.info({ stack: path, op: line, ms }, 'applied');
        this.hooks.progress(path, line, ms);
      },
      notice: (line) => o.log.warn({ stack: path }, line),
      removing: (id) => this.hooks.removing(id),
      drain: drainerFor(o.kv),
    });
  }
}
