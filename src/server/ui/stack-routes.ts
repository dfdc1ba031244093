import type { IncomingMessage, ServerResponse } from 'node:http';
import { unlessUntrusted } from '../../trust/sealer.ts';
import type { Dashboard } from './dashboard.ts';
import type { Access } from './layout.ts';
import { overviewPage, summaryFragment } from './page-overview.ts';
import { planPage, releasePage, releasesPage } from './page-releases.ts';
import { servicesPage } from './page-services.ts';
import { SECURITY_HEADERS, sendHtml } from './respond.ts';
import { servicesView, type StackHandle, stackView } from './stacks.ts';

/** The read-only pages of one stack; every read happens here, on request. */
export async function stackGet(
  d: Dashboard,
  req: IncomingMessage,
  res: ServerResponse,
  handle: StackHandle,
  page: string,
  access: Access,
): Promise<void> {
  const project = handle.project;
  switch (page) {
    case '':
      return sendHtml(res, 200, overviewPage(await stackView(handle), d.progress.recent(project), access));
    case 'summary':
      return sendHtml(res, 200, summaryFragment(await stackView(handle), access));
    case 'events':
      return events(d, req, res, project);
    case 'services': {
      const v = await stackView(handle);
      return sendHtml(res, 200, servicesPage(v, await servicesView(handle, v.inForce), access));
    }
    case 'releases':
      return sendHtml(res, 200, releasesPage(project, await handle.session.releases.list(project), access));
    case 'plan': {
      const applied = (await handle.status()).applied?.release;
      return sendHtml(res, 200, planPage(project, await d.pending.get(handle, applied), access));
    }
  }
  const n = /^releases\/(\d{1,9})$/.exec(page);
  if (n) return release(d, req, res, handle, Number(n[1]), access);
  return d.refuse(req, res, 404, `no page ${page} for ${project}`);
}

async function release(
  d: Dashboard,
  req: IncomingMessage,
  res: ServerResponse,
  handle: StackHandle,
  number: number,
  access: Access,
): Promise<void> {
  const { releases } = handle.session;
  // the list is bounded by the history limit; the one before is the newest older one still kept
  const all = await unlessUntrusted(releases.list(handle.project));
  const r = all?.find((x) => x.number === number);
  if (!r) return d.refuse(req, res, 404, `release ${number} of ${handle.project} is not in the history`);
  const before = all!.filter((x) => x.number < number && x.status === 'succeeded').at(-1);
  return sendHtml(res, 200, releasePage(handle.project, r, before, access));
}

function events(d: Dashboard, req: IncomingMessage, res: ServerResponse, project: string): void {
  const last = Number(req.headers['last-event-id'] ?? 0);
  const opened = d.progress.open(res, project, Number.isSafeInteger(last) ? last : 0, SECURITY_HEADERS);
  if (!opened) d.refuse(req, res, 503, 'too many live views are open: try again later');
}
