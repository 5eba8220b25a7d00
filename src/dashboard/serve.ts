// The operator dashboard at / and /dashboard: static files (plain browser modules, no build step),
// read once when the server module loads.
import { existsSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Asset {
  body: Buffer;
  contentType: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled into dist/dashboard/, the page stays in src/dashboard/: tsc copies no assets.
const directory = [here, path.resolve(here, '../../src/dashboard')].find((dir) => existsSync(path.join(dir, 'index.html')));

const read = (file: string, contentType: string): Asset | undefined =>
  directory === undefined ? undefined : { body: readFileSync(path.join(directory, file)), contentType };

const page = read('index.html', 'text/html; charset=utf-8');
const assets = new Map<string, Asset | undefined>([
  ['/', page],
  ['/dashboard', page],
  ['/dashboard/', page],
  ...['dashboard.js', 'console.js', 'charts.js', 'dom.js'].map((file) => [`/dashboard/${file}`, read(file, 'text/javascript; charset=utf-8')] as const),
  ['/dashboard/dashboard.css', read('dashboard.css', 'text/css; charset=utf-8')],
]);

// Only the page's own script and style; fetch and WebSocket to the same origin ('self' covers ws: and wss:).
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Answers the dashboard's paths and returns true; returns false for every other path. */
export function serveDashboard(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const pathname = (req.url ?? '/').split('?')[0] || '/';
  if (!assets.has(pathname)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('GET only\n');
    return true;
  }
  const asset = assets.get(pathname);
  if (!asset) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('the dashboard files are missing from this installation\n');
    return true;
  }
  res.writeHead(200, {
    'content-type': asset.contentType,
    'content-length': asset.body.length,
    'content-security-policy': contentSecurityPolicy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
  return true;
}
