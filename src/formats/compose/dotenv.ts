/**
 * The stack folder's `.env`, read as compose reads it (compose-go's dotenv): `KEY=value`,
 * optional `export `, `#` comments (inline ones after a space), single quotes literal, double
 * quotes with escapes, both may span lines, and `${VAR}` expanded outside single quotes from
 * the host allow-list and the lines above. Used only for interpolation, never as container env.
 */
import { interpolate, type Lookup } from './interpolate.ts';
import type { Issues } from './issues.ts';

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$$' };

export function parseDotenv(text: string, file: string, hostEnv: Lookup, issues: Issues): Map<string, string> {
  const vars = new Map<string, string>();
  const lookup: Lookup = (name) => hostEnv(name) ?? vars.get(name);
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let n = 0; n < lines.length; n++) {
    const at = (col: number, message: string) => issues.add({ file, line: n + 1, col }, [], message);
    const raw = lines[n]!;
    const body = raw.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    const indent = raw.length - body.length;
    const unexported = body.replace(/^export\s+/, '');
    const sep = /[=:]/.exec(unexported);
    const keyCol = indent + body.length - unexported.length + 1;
    if (!sep) {
      at(keyCol, `expected KEY=value, found "${unexported.trim()}"`);
      continue;
    }
    const key = unexported.slice(0, sep.index).trim();
    if (!KEY.test(key)) {
      at(keyCol, `invalid variable name "${key}"`);
      continue;
    }
    const valueCol = keyCol + sep.index + 1;
    const rest = unexported.slice(sep.index + 1).replace(/^[ \t]+/, '');
    const parsed = readValue(rest, lines, n);
    if ('error' in parsed) {
      at(valueCol, parsed.error);
      continue;
    }
    const expanded = parsed.expand ? interpolate(parsed.value, lookup) : { value: parsed.value };
    if ('error' in expanded) at(valueCol, expanded.error);
    else vars.set(key, expanded.value);
    n = parsed.lastLine;
  }
  return vars;
}

type Value = { value: string; expand: boolean; lastLine: number } | { error: string };

function readValue(rest: string, lines: string[], n: number): Value {
  const quote = rest[0];
  if (quote !== "'" && quote !== '"') {
    // an inline comment needs a blank before its #, so `a#b` keeps its #
    const value = rest.replace(/(^|[ \t])#.*$/, '').trimEnd();
    return { value, expand: true, lastLine: n };
  }
  let text = rest.slice(1);
  let line = n;
  for (;;) {
    const end = closing(text, quote);
    if (end !== -1) {
      const inner = text.slice(0, end);
      const value = quote === "'" ? inner : unescapeDouble(inner);
      return { value, expand: quote === '"', lastLine: line };
    }
    if (++line >= lines.length) return { error: `unterminated ${quote === '"' ? 'double' : 'single'}-quoted value` };
    text += `\n${lines[line]}`;
  }
}

function closing(text: string, quote: string): number {
  for (let i = 0; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

/** `\$` stays a literal dollar through the interpolation that follows: it becomes `$$`. */
function unescapeDouble(inner: string): string {
  return inner.replace(/\\(.)/g, (all, c: string) => ESCAPES[c] ?? all);
}
