/**
 * compose's variable syntax: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+other}`, `${VAR+other}`, defaults nesting further
 * variables. Unlike compose, a variable that is not set and has no default is an error:
 * compose would put an empty string in its place and deploy that.
 */
export type Lookup = (name: string) => string | undefined;

export type Result = { value: string } | { error: string };

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

export function interpolate(text: string, lookup: Lookup): Result {
  if (!text.includes('$')) return { value: text };
  try {
    return { value: new Template(text, lookup).run() };
  } catch (err) {
    if (err instanceof TemplateError) return { error: err.message };
    throw err;
  }
}

class TemplateError extends Error {}

class Template {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly lookup: Lookup,
  ) {}

  run(): string {
    const out = this.until(undefined);
    return out;
  }

  /** Text up to `stop` (the `}` closing a default) or the end, with every variable replaced. */
  private until(stop: '}' | undefined): string {
    let out = '';
    while (this.i < this.text.length) {
      const c = this.text[this.i]!;
      if (c === stop) return out;
      if (c !== '$') {
        out += c;
        this.i++;
        continue;
      }
      out += this.dollar();
    }
    if (stop) throw new TemplateError(`unclosed "\${" in "${this.text}"`);
    return out;
  }

  private dollar(): string {
    const rest = this.text.slice(this.i + 1);
    if (rest.startsWith('$')) {
      this.i += 2;
      return '$';
    }
    const bare = NAME.exec(rest);
    if (bare) {
      this.i += 1 + bare[0].length;
      return this.resolve(bare[0], '', undefined);
    }
    if (rest.startsWith('{')) return this.braced();
    throw new TemplateError(`invalid interpolation "${this.text}": write a literal $ as $$`);
  }

  private braced(): string {
    const start = this.i;
    this.i += 2;
    const name = NAME.exec(this.text.slice(this.i))?.[0];
    if (!name) throw new TemplateError(`invalid interpolation "${this.text}": \${ must be followed by a variable name`);
    this.i += name.length;
    const op = /^(:?[-?+])/.exec(this.text.slice(this.i))?.[0] ?? '';
    this.i += op.length;
    if (op === '' && this.text[this.i] !== '}') {
      const bad = this.text.slice(start, this.text.indexOf('}', start) + 1 || undefined);
      throw new TemplateError(`invalid interpolation "${bad}": expected } or one of :- - :? ? :+ + after ${name}`);
    }
    // the word is only expanded where it is used, as in a shell: an unused default may name unset variables
    const wordStart = this.i;
    const value = this.resolve(name, op, () => {
      this.i = wordStart;
      return this.until('}');
    });
    if (this.i === wordStart && op !== '') this.skipWord();
    if (this.text[this.i] !== '}') throw new TemplateError(`unclosed "\${" in "${this.text}"`);
    this.i++;
    return value;
  }

  /** Moves past an unused default without looking variables up. */
  private skipWord(): void {
    let depth = 0;
    for (; this.i < this.text.length; this.i++) {
      const c = this.text[this.i];
      if (c === '$' && this.text[this.i + 1] === '$') this.i++;
      else if (c === '$' && this.text[this.i + 1] === '{') {
        depth++;
        this.i++;
      } else if (c === '}') {
        if (depth === 0) return;
        depth--;
      }
    }
  }

  private resolve(name: string, op: string, word: (() => string) | undefined): string {
    const value = this.lookup(name);
    const unset = value === undefined;
    const empty = unset || value === '';
    switch (op) {
      case ':-':
        return empty ? word!() : value!;
      case '-':
        return unset ? word!() : value;
      case ':?':
        if (empty) throw new TemplateError(required(name, word!(), unset ? 'not set' : 'empty'));
        return value!;
      case '?':
        if (unset) throw new TemplateError(required(name, word!(), 'not set'));
        return value;
      case ':+':
        return empty ? '' : word!();
      case '+':
        return unset ? '' : word!();
      default:
        if (unset)
          throw new TemplateError(`variable ${name} is not set (set it in .env or give a default: \${${name}:-...})`);
        return value;
    }
  }
}

function required(name: string, message: string, why: string): string {
  return message === '' ? `required variable ${name} is ${why}` : `required variable ${name} is ${why}: ${message}`;
}
