/**
 * Host path rules. Paths are compared normalised (`..`, `.`, doubled and trailing slashes
 * gone) and, through the injected `real` function, with symlinks resolved as the engine
 * will resolve them when it mounts. Pure: the caller decides what `real` reads.
 */
import path from 'node:path';

export type Decision =
  | { allowed: true }
  | { allowed: false; rule: 'hostPaths.allow' }
  | { allowed: false; rule: 'hostPaths.deny'; denied: string; contains: boolean };

export function normalisePath(p: string): string {
  return path.posix.resolve('/', p);
}

/** `p` is `root` or lies under it. */
export function isUnder(p: string, root: string): boolean {
  return p === root || root === '/' || p.startsWith(`${root}/`);
}

/**
 * The longest entry of either list that holds `p` decides (an allow as long as a deny wins, so
 * a policy file can allow exactly `/var/run/docker.sock`); no entry: not allowed.
 */
function decide(p: string, allow: string[], deny: string[]): 'allow' | 'deny' | 'none' {
  const longest = (list: string[]) => Math.max(-1, ...list.filter((r) => isUnder(p, r)).map((r) => r.length));
  const a = longest(allow);
  const d = longest(deny);
  if (a < 0) return 'none';
  return a >= d ? 'allow' : 'deny';
}

/**
 * Whether a bind mount of `hostPath` is allowed: it must be allowed itself, and so must every
 * denied path inside it (a mount of `/var` exposes `/var/lib/docker`). Each path is judged as
 * written and as `real` resolves it; the deny list is widened with its own real paths.
 */
export function judgeHostPath(
  hostPath: string,
  rules: { allow: string[]; deny: string[] },
  real: (p: string) => string = (p) => p,
): Decision {
  const allow = rules.allow.map(normalisePath);
  const deny = [...new Set(rules.deny.flatMap((d) => [normalisePath(d), normalisePath(real(d))]))];
  // `real` gets the path as written: after a symlink, `..` climbs from its target, not from the link
  const forms = [...new Set([normalisePath(hostPath), normalisePath(real(hostPath))])];
  for (const p of forms) {
    const own = decide(p, allow, deny);
    if (own === 'none') return { allowed: false, rule: 'hostPaths.allow' };
    if (own === 'deny') {
      const denied = deny.filter((d) => isUnder(p, d)).sort((x, y) => y.length - x.length)[0]!;
      return { allowed: false, rule: 'hostPaths.deny', denied, contains: false };
    }
    const inside = deny
      .filter((d) => d !== p && isUnder(d, p))
      .sort()
      .find((d) => decide(d, allow, deny) !== 'allow');
    if (inside) return { allowed: false, rule: 'hostPaths.deny', denied: inside, contains: true };
  }
  return { allowed: true };
}
