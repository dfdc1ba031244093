import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { Html } from './html.ts';

/**
 * Every dashboard answer carries these: scripts and styles only from this server's own files
 * (no inline script, no CDN), never framed, no type sniffing, no referrer leaving the site.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

export function sendHtml(res: ServerResponse, code: number, body: Html, extra: Record<string, string> = {}): void {
  const text = body.text;
  res.writeHead(code, {
    ...SECURITY_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(text)),
    ...extra,
  });
  res.end(text);
}

export function sendJson(res: ServerResponse, code: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(text)),
    ...extra,
  });
  res.end(text);
}

export function redirect(res: ServerResponse, to: string, extra: Record<string, string> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location: to, 'content-length': '0', ...extra });
  res.end();
}

/**
 * The stylesheet and script ship beside the code, in `assets/dashboard/` at the package root:
 * the same two levels up from src/server/ui and from dist/server/ui. Read once, kept (a few KB).
 */
const ASSETS_DIR = path.resolve(import.meta.dirname, '../../../assets/dashboard');
const TYPES: Record<string, string> = {
  'dashboard.css': 'text/css; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
};
const loaded = new Map<string, Promise<Buffer>>();

export async function sendAsset(res: ServerResponse, name: string): Promise<boolean> {
  const type = TYPES[name];
  if (!type) return false;
  if (!loaded.has(name)) loaded.set(name, readFile(path.join(ASSETS_DIR, name)));
  const body = await loaded.get(name)!;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'cache-control': 'public, max-age=300',
    'content-length': String(body.length),
  });
  res.end(body);
  return true;
}
