/**
 * The notify config (`--notify-config FILE`, BOSUN_NOTIFY_CONFIG): where serve sends its events
 * and commit statuses. Read once at start-up, like the host policy: a file that cannot be read
 * or is invalid is one error holding every problem at `file:line:col`, and serve does not start.
 * The secret files it names are read then too, so a missing token stops start-up, not a delivery.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import { BosunError, Codes, ManifestError, type ManifestIssue } from '../../errors.ts';
import { parseDuration } from '../../formats/units.ts';
import { nodeAt, schemaIssue } from '../../policy/load.ts';
import { validatorsOf } from '../../validators/index.ts';
import type { EventName } from './events.ts';

export type TargetType = 'webhook' | 'slack' | 'discord';
export type ForgeProvider = 'github' | 'gitlab' | 'gitea';

export interface TargetConfig {
  name: string;
  type: TargetType;
  /** may hold a token: never logged */
  url: string;
  secret?: string;
  events: ReadonlySet<EventName>;
  projects?: ReadonlySet<string>;
}

export interface CommitStatusConfig {
  provider: ForgeProvider;
  token: string;
  apiUrl?: string;
  repo?: string;
  projects?: ReadonlySet<string>;
}

export interface RetryConfig {
  attempts: number;
  initialDelayMs: number;
  timeoutMs: number;
}

export interface NotifyConfig {
  file: string;
  dashboardUrl?: string;
  retry: RetryConfig;
  queueSize: number;
  targets: TargetConfig[];
  commitStatus?: CommitStatusConfig;
}

export const DEFAULT_RETRY: RetryConfig = { attempts: 5, initialDelayMs: 4_000, timeoutMs: 10_000 };
export const DEFAULT_QUEUE_SIZE = 100;
/** What a target without `events` is sent: everything but the start of each release. */
export const DEFAULT_EVENTS: readonly EventName[] = [
  'release.succeeded',
  'release.failed',
  'release.rolled-back',
  'drift.repaired',
  'stack.pinned',
  'stack.resumed',
  'leader.changed',
];

interface RawTarget {
  name: string;
  type: TargetType;
  url?: string;
  urlFile?: string;
  secretFile?: string;
  events?: EventName[];
  projects?: string[];
}

interface RawFile {
  dashboardUrl?: string;
  retry?: { attempts?: number; initialDelay?: string; timeout?: string };
  queueSize?: number;
  targets?: RawTarget[];
  commitStatus?: {
    provider: ForgeProvider | 'forgejo';
    tokenFile: string;
    apiUrl?: string;
    repo?: string;
    projects?: string[];
  };
}

/** The file named by the flag or BOSUN_NOTIFY_CONFIG; none: no notifications. */
export function loadNotifyConfig(
  file: string | undefined,
  read: (f: string) => string = (f) => readFileSync(f, 'utf8'),
): NotifyConfig | undefined {
  if (file === undefined || file === '') return undefined;
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    throw new BosunError(Codes.config, `notify config ${file} cannot be read: ${(err as Error).message}`);
  }
  return parseNotifyConfig(file, text, read);
}

/** The file's text → the config, or one ManifestError (E_CONFIG) with every problem located. */
export function parseNotifyConfig(file: string, text: string, read: (f: string) => string): NotifyConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  const issues: ManifestIssue[] = [...doc.errors, ...doc.warnings].map((e) => ({
    file,
    ...at(e.pos[0]),
    path: '',
    message: e.message.split('\n')[0]!,
  }));
  const value: unknown = issues.length === 0 ? (doc.toJS() ?? {}) : undefined;
  const validate = validatorsOf('notify').Notify;
  if (issues.length === 0 && !validate(value))
    issues.push(...folded(validate.errors ?? []).map((e) => issueOf(file, doc, at, e)));
  const raw = value as RawFile;
  const located = (path: (string | number)[], message: string) => {
    const node = nodeAt(doc, path, false);
    const where = isNode(node) && node.range ? at(node.range[0]) : { line: 1, col: 1 };
    issues.push({ file, ...where, path: formatPath(path), message });
  };
  const config = issues.length === 0 ? build(file, raw, read, located) : undefined;
  if (issues.length > 0 || !config) {
    issues.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new ManifestError(issues, { code: Codes.config, noun: 'notify config error' });
  }
  return config;
}

type Locate = (path: (string | number)[], message: string) => void;
/** A host file's content (a URL, a key, a token), trimmed; a problem is located at the key naming it. */
type ReadSecret = (path: (string | number)[], f: string) => string;

function build(file: string, raw: RawFile, read: (f: string) => string, located: Locate): NotifyConfig {
  const secret: ReadSecret = (path, f) => {
    try {
      const text = read(f).trim();
      if (text === '') located(path, `${f} is empty`);
      return text;
    } catch (err) {
      located(path, `cannot read ${f}: ${(err as { code?: string }).code ?? (err as Error).message}`);
      return '';
    }
  };
  const names = new Set<string>();
  const targets = (raw.targets ?? []).map((t, i) => {
    if (names.has(t.name)) located(['targets', i, 'name'], `another target is named "${t.name}"`);
    names.add(t.name);
    return target(t, i, secret, located);
  });
  const cs = raw.commitStatus;
  const commitStatus: CommitStatusConfig | undefined = cs && {
    provider: cs.provider === 'forgejo' ? 'gitea' : cs.provider,
    token: secret(['commitStatus', 'tokenFile'], cs.tokenFile),
    ...(cs.apiUrl && { apiUrl: cs.apiUrl.replace(/\/+$/, '') }),
    ...(cs.repo && { repo: cs.repo }),
    ...(cs.projects && { projects: new Set(cs.projects) }),
  };
  return {
    file,
    ...(raw.dashboardUrl && { dashboardUrl: raw.dashboardUrl }),
    retry: retryOf(raw.retry ?? {}),
    queueSize: raw.queueSize ?? DEFAULT_QUEUE_SIZE,
    targets,
    ...(commitStatus && { commitStatus }),
  };
}

function target(t: RawTarget, i: number, secret: ReadSecret, located: Locate): TargetConfig {
  if (t.secretFile && t.type !== 'webhook')
    located(['targets', i, 'secretFile'], `only a webhook target signs its deliveries (this one is ${t.type})`);
  if ((t.url === undefined) === (t.urlFile === undefined))
    located(['targets', i], 'needs exactly one of url and urlFile');
  return {
    name: t.name,
    type: t.type,
    url: t.url ?? (t.urlFile ? secret(['targets', i, 'urlFile'], t.urlFile) : ''),
    ...(t.secretFile && { secret: secret(['targets', i, 'secretFile'], t.secretFile) }),
    events: new Set(t.events ?? DEFAULT_EVENTS),
    ...(t.projects && { projects: new Set(t.projects) }),
  };
}

function retryOf(r: NonNullable<RawFile['retry']>): RetryConfig {
  return {
    attempts: r.attempts ?? DEFAULT_RETRY.attempts,
    initialDelayMs: r.initialDelay ? parseDuration(r.initialDelay) : DEFAULT_RETRY.initialDelayMs,
    timeoutMs: r.timeout ? parseDuration(r.timeout) : DEFAULT_RETRY.timeoutMs,
  };
}

/** As the policy file says it, but an enum names its values: there are few, and they are the answer. */
function issueOf(file: string, doc: Document.Parsed, at: (o: number) => { line: number; col: number }, e: ErrorObject) {
  const issue = schemaIssue(file, doc, at, e, 'is not a notify config key');
  const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
  return e.keyword === 'enum' && allowed ? { ...issue, message: `must be one of ${allowed.join(', ')}` } : issue;
}

/** A oneOf's (or anyOf's) own error stands for the failed branches under it: one line per problem. */
function folded(errors: ErrorObject[]): ErrorObject[] {
  const groups = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  return errors.filter((e) => !groups.some((g) => e.schemaPath.startsWith(g)));
}

function formatPath(path: (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
