import fs from 'node:fs';
import path from 'node:path';

const DEMO = path.resolve(import.meta.dirname, '../../examples/cluster-repo');

/**
 * The README's demo (examples/cluster-repo) under another project name, with its Config prefix
 * renamed to match and web's fixed host port 18080 left to the engine, so tests run side by side.
 */
export function demoFiles(project: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(DEMO, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(DEMO);
  const renamed = Object.entries(files).map(([rel, text]) => [
    rel,
    text
      .replace(/^ {2}name: demo$/m, `  name: ${project}`)
      .replace('prefix: /demo/', `prefix: /${project}/`)
      .replace('{ container: 80, host: 18080 }', '{ container: 80 }'),
  ]);
  return Object.fromEntries(renamed);
}
