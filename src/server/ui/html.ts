/**
 * HTML built by tagged templates: every interpolated value is escaped unless it is already
 * `Html` (made here), so text from git or the state store (commit messages, names, errors)
 * cannot become markup. There is no other way to put a string into a page.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A value as markup: Html as it is, a list joined, nothing for null/undefined/false, the rest escaped. */
function piece(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === undefined || v === null || v === false) return '';
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** A relative time people read at a glance ("3 min ago"), with the exact time in the title. */
export function when(iso: string | undefined, now = Date.now()): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const ago =
    s < 60
      ? `${s} s ago`
      : s < 3600
        ? `${Math.round(s / 60)} min ago`
        : s < 86_400
          ? `${Math.round(s / 3600)} h ago`
          : `${Math.round(s / 86_400)} d ago`;
  return html`<time datetime="${iso}" title="${iso}">${ago}</time>`;
}

export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function shortSha(sha: string | undefined): string {
  return sha ? sha.slice(0, 12) : '—';
}
