/**
 * `extends`: a service built on another one, in the same file or in `file:` (inside the stack
 * folder), recursively, merged by the same rules as files. Relative paths of a service taken
 * from another folder are rebased onto the stack folder, as compose resolves them from the
 * file that wrote them.
 */
import type { Issues } from './issues.ts';
import type { Merger } from './merge.ts';
import { normalizeRel } from './files.ts';
import { clone, isObj, type Obj, placeOf, type Pos } from './tree.ts';

export interface ExtendsContext {
  /** a compose file of the stack, read and interpolated; undefined when missing or unreadable */
  file(rel: string): { value?: Obj; file: string } | undefined;
  merger: Merger;
  issues: Issues;
}

interface Ref {
  rel: string;
  service: string;
}

/** Every service of `rel` with its `extends` resolved (the key removed). */
export function resolveExtends(rel: string, ctx: ExtendsContext): void {
  const resolver = new Resolver(ctx);
  const services = ctx.file(rel)?.value?.services;
  if (!isObj(services)) return;
  for (const name of Object.keys(services)) {
    const resolved = resolver.resolve({ rel, service: name }, []);
    if (resolved) services[name] = resolved;
  }
}

class Resolver {
  private readonly done = new Map<string, Obj | undefined>();

  constructor(private readonly ctx: ExtendsContext) {}

  resolve(ref: Ref, chain: string[]): Obj | undefined {
    const id = `${ref.rel}#${ref.service}`;
    if (this.done.has(id)) return this.done.get(id);
    const services = this.ctx.file(ref.rel)?.value?.services;
    const service = isObj(services) ? services[ref.service] : undefined;
    if (!isObj(service) || service.extends === undefined) return isObj(service) ? service : undefined;
    const where = placeOf(service, 'extends')?.at ?? { file: this.ctx.file(ref.rel)!.file, line: 1, col: 1 };
    const path = ['services', ref.service, 'extends'];
    const target = this.target(ref, service.extends, where, path);
    let result: Obj | undefined;
    if (target) {
      const targetId = `${target.rel}#${target.service}`;
      if (chain.includes(targetId) || targetId === id) {
        const cycle = [...chain, id, targetId].map((c) => c.split('#')[1]).join(' → ');
        this.ctx.issues.add(where, path, `extends cycle: ${cycle}`);
      } else {
        result = this.extend(ref, target, service, [...chain, id], where, path);
      }
    }
    this.done.set(id, result);
    return result;
  }

  private extend(ref: Ref, target: Ref, service: Obj, chain: string[], where: Pos, path: string[]): Obj | undefined {
    const base = this.resolve(target, chain);
    if (!base) {
      const inFile = target.rel === ref.rel ? '' : ` in ${target.rel}`;
      this.ctx.issues.add(where, path, `extends an unknown service "${target.service}"${inFile}`);
      return undefined;
    }
    const copy = clone(base);
    delete copy.extends;
    const dir = target.rel.includes('/') ? target.rel.slice(0, target.rel.lastIndexOf('/')) : '';
    const ownDir = ref.rel.includes('/') ? ref.rel.slice(0, ref.rel.lastIndexOf('/')) : '';
    if (dir !== ownDir) rebase(copy, dir);
    const own = clone(service);
    delete own.extends;
    return this.ctx.merger.merge(copy, own, ['services', ref.service]) as Obj;
  }

  private target(ref: Ref, ext: unknown, where: Pos, path: string[]): Ref | undefined {
    const spec = typeof ext === 'string' ? { service: ext } : isObj(ext) ? ext : undefined;
    if (!spec || typeof spec.service !== 'string') {
      this.ctx.issues.add(where, path, 'extends takes a service name or { service, file }');
      return undefined;
    }
    if (spec.file === undefined) return { rel: ref.rel, service: spec.service };
    if (typeof spec.file !== 'string') {
      this.ctx.issues.add(where, [...path, 'file'], 'must be a string');
      return undefined;
    }
    const dir = ref.rel.includes('/') ? ref.rel.slice(0, ref.rel.lastIndexOf('/') + 1) : '';
    const rel = normalizeRel(`${dir}${spec.file}`);
    if (spec.file.startsWith('/') || rel.startsWith('..')) {
      this.ctx.issues.add(where, [...path, 'file'], `"${spec.file}" is outside the stack folder`);
      return undefined;
    }
    if (!this.ctx.file(rel)?.value) {
      const exists = this.ctx.file(rel) !== undefined;
      if (!exists) this.ctx.issues.add(where, [...path, 'file'], `file "${spec.file}" not found in the stack folder`);
      return undefined;
    }
    return { rel, service: spec.service };
  }
}

/** Relative paths written in `dir` (relative to the stack folder), made relative to the stack folder. */
function rebase(service: Obj, dir: string): void {
  const fix = (p: string) => (p.startsWith('.') ? `./${normalizeRel(`${dir}/${p}`)}` : p);
  if (typeof service.build === 'string') service.build = fix(service.build);
  else if (isObj(service.build) && typeof service.build.context === 'string') {
    service.build.context = fix(service.build.context);
  }
  if (typeof service.env_file === 'string') service.env_file = fix(service.env_file);
  else if (Array.isArray(service.env_file)) {
    service.env_file.forEach((e, i, list) => {
      if (typeof e === 'string') list[i] = fix(e);
      else if (isObj(e) && typeof e.path === 'string') e.path = fix(e.path);
    });
  }
  if (!Array.isArray(service.volumes)) return;
  service.volumes.forEach((v, i, list) => {
    if (typeof v === 'string' && v.startsWith('.')) list[i] = fix(v.split(':')[0]!) + v.slice(v.split(':')[0]!.length);
    else if (isObj(v) && v.type === 'bind' && typeof v.source === 'string') v.source = fix(v.source);
  });
}
