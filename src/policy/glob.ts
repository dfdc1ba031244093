/**
 * Globs of the policy file: `*` matches within one `/`-separated part, `**` across parts, `?`
 * one character of a part. Everything else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

export function matchesAny(value: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(value));
}

/**
 * `nginx:1.27` → `docker.io/library/nginx:1.27`, `me/app` → `docker.io/me/app`, as the engine
 * reads a name without a registry; a name whose first part has a `.` or `:` (or is localhost)
 * already names its registry.
 */
export function qualifiedImage(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return `docker.io/library/${image}`;
  const first = image.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return image;
  return `docker.io/${image}`;
}
