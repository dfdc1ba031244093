/** Issues of a compose stack, collected all at once and located like every bosun manifest error. */
import type { ManifestIssue } from '../../errors.ts';
import { formatPath } from '../bosun-v1/locate.ts';
import type { ComposePath } from './loaded.ts';
import type { Pos } from './tree.ts';

export class Issues {
  readonly list: ManifestIssue[] = [];

  add(pos: Pos, path: ComposePath, message: string): void {
    this.list.push({ file: pos.file, line: pos.line, col: pos.col, path: composePath(path), message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

/** `services.web.volumes[1]`; names that are not plain words are quoted: `services["my.app"]`. */
export function composePath(path: ComposePath): string {
  return formatPath([...path]);
}
