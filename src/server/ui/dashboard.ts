import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.ts';
import { type Who, UiAuth, sameOrigin } from './auth.ts';
import { AttemptLimiter, readForm } from './forms.ts';
import { type Access, stackPath, UI } from './layout.ts';
import { loginPage, refusalPage } from './page-login.ts';
import { stackListPage } from './page-overview.ts';
import { PendingPlans } from './pending.ts';
import { ProgressHub } from './progress.ts';
import { redirect, sendAsset, sendHtml, sendJson } from './respond.ts';
import { type StackDirectory, type StackHandle, stackView } from './stacks.ts';
import { stackGet } from './stack-routes.ts';
import { actionBatch } from './action-routes.ts';

export interface DashboardOptions {
  stacks: StackDirectory;
  /** the actions token (--ui-token-file); none: read-only */
  token?: string;
  log: Logger;
}

/** True for the paths the dashboard answers (the rest of the listener is http.ts's). */
export function isDashboardPath(path: string): boolean {
  return path === '/' || path === UI || path.startsWith(`${UI}/`);
}

/**
 * The web dashboard on serve's listener: server-rendered pages over the same reads as /status,
 * live progress over server-sent events, and — with a token — actions queued like webhooks.
 */
export class Dashboard {
  readonly progress = new ProgressHub();
  readonly pending = new PendingPlans();
  private readonly auth: UiAuth | undefined;
  private readonly logins = new AttemptLimiter(10, 60_000);

  constructor(readonly o: DashboardOptions) {
    this.auth = o.token !== undefined ? new UiAuth(o.token) : undefined;
  }

  get actionsEnabled(): boolean {
    return this.auth !== undefined;
  }

  /** A pass of `project` started or ended: pages watching it refresh their summary. */
  pass(project: string, text: string): void {
    this.progress.add(project, 'pass', text);
  }

  close(): void {
    this.progress.close();
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/' || path === UI) return redirect(res, `${UI}/`);
    const rest = path.slice(UI.length + 1);
    const post = req.method === 'POST';
    if (!post && req.method !== 'GET' && req.method !== 'HEAD')
      return this.refuse(req, res, 405, `${req.method} not allowed`);
    if (rest.startsWith('assets/') && !post) {
      if (await sendAsset(res, rest.slice('assets/'.length))) return;
      return this.refuse(req, res, 404, `no asset ${rest}`);
    }
    const { access, who } = this.access(req);
    if (rest === '' && !post) {
      const views = await Promise.all(this.o.stacks.list().map((h) => stackView(h)));
      return sendHtml(res, 200, stackListPage(views, access));
    }
    if (rest === 'login') return post ? this.login(req, res) : sendHtml(res, 200, loginPage(access));
    if (rest === 'logout' && post) return this.logout(req, res, who);
    const m = /^s\/([^/]+)\/(.*)$/.exec(rest);
    const handle = m ? this.stack(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !handle) return this.refuse(req, res, 404, `no page ${path}`);
    if (post) return this.act(req, res, handle, m[2]!, who);
    return stackGet(this, req, res, handle, m[2]!, access);
  }

  private stack(project: string): StackHandle | undefined {
    return this.o.stacks.list().find((h) => h.project === project);
  }

  access(req: IncomingMessage): { access: Access; who: Who } {
    if (!this.auth) return { access: { mode: 'read-only' }, who: undefined };
    const who = this.auth.who(req);
    if (!who) return { access: { mode: 'login' }, who };
    const csrf = who.via === 'cookie' ? this.auth.csrfFor(who.session) : undefined;
    return { access: { mode: 'actions', csrf }, who };
  }

  /** Checks in the order of what they cost to pass: enabled, same origin, authenticated, CSRF. */
  private async act(
    req: IncomingMessage,
    res: ServerResponse,
    handle: StackHandle,
    name: string,
    who: Who,
  ): Promise<void> {
    if (!this.auth)
      return this.refuse(
        req,
        res,
        403,
        'actions are disabled: start bosun serve with --ui-token-file FILE (or BOSUN_UI_TOKEN_FILE)',
      );
    if (!sameOrigin(req)) return this.refuse(req, res, 403, 'refused: the request comes from another site');
    if (!who) return this.refuse(req, res, 401, 'a token is needed: log in, or send Authorization: Bearer');
    const form = await readForm(req);
    if (!form) return this.refuse(req, res, 413, 'the form is too large or too slow');
    const csrf = form.get('csrf') ?? header(req, 'x-csrf-token');
    if (!this.auth.csrfValid(who, csrf))
      return this.refuse(req, res, 403, 'missing or wrong CSRF token: reload the page and try again');
    const decided = await actionBatch(handle, name, form);
    if ('refused' in decided) return this.refuse(req, res, decided.code, decided.refused);
    const queued = handle.enqueue(decided.batch);
    this.o.log.info(
      { project: handle.project, action: decided.label, via: who.via, queued },
      `dashboard: ${decided.label}`,
    );
    this.progress.add(handle.project, 'notice', `${decided.label}: requested on the dashboard (${queued})`);
    if (who.via === 'bearer') return sendJson(res, 202, { status: 'accepted', action: decided.label, queued });
    return redirect(res, stackPath(handle.project));
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const access: Access = this.auth ? { mode: 'login' } : { mode: 'read-only' };
    if (!this.auth) return this.refuse(req, res, 403, 'actions are disabled: there is nothing to log in to');
    if (!sameOrigin(req)) return this.refuse(req, res, 403, 'refused: the request comes from another site');
    if (!this.logins.allow(req.socket.remoteAddress ?? '?'))
      return sendHtml(res, 429, loginPage(access, 'too many attempts: wait a minute'), { 'retry-after': '60' });
    const form = await readForm(req);
    const done = this.auth.login(form?.get('token') ?? '');
    if (!done) {
      this.o.log.warn({ from: req.socket.remoteAddress }, 'dashboard: wrong token at login');
      return sendHtml(res, 401, loginPage(access, 'wrong token'));
    }
    return redirect(res, `${UI}/`, { 'set-cookie': done.cookie });
  }

  private async logout(req: IncomingMessage, res: ServerResponse, who: Who): Promise<void> {
    const form = await readForm(req);
    if (
      !this.auth ||
      who?.via !== 'cookie' ||
      !sameOrigin(req) ||
      !this.auth.csrfValid(who, form?.get('csrf') ?? undefined)
    )
      return this.refuse(req, res, 403, 'not logged in, or the CSRF token is missing');
    return redirect(res, `${UI}/`, { 'set-cookie': this.auth.logout(who.session) });
  }

  /** A refusal: a page for a browser, JSON for a script. Nothing has been done. */
  refuse(req: IncomingMessage, res: ServerResponse, code: number, message: string): void {
    const extra: Record<string, string> = code === 401 ? { 'www-authenticate': 'Bearer realm="bosun"' } : {};
    if (!wantsHtml(req)) sendJson(res, code, { error: message }, extra);
    else sendHtml(res, code, refusalPage(this.access(req).access, `${code}`, message), extra);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}
