import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Returns the renderer build folder (`out/renderer` in the package root), found from this file. */
export function defaultRendererDir(): string {
  let dir = __dirname;
  for (let depth = 0; depth < 8; depth++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'hooktray') return join(dir, 'out', 'renderer');
    dir = dirname(dir);
  }
  return resolve(__dirname, '..', '..', '..', 'renderer');
}

export type StaticFile = { ok: true; body: Buffer; contentType: string } | { ok: false; status: 404 | 400 };

/**
 * Reads a file of the renderer build for a URL path. `/` is `index.html`; a path that
 * leaves the folder (`..`, encoded or not) or names a folder is not found.
 */
export async function readStaticFile(rootDir: string, urlPath: string): Promise<StaticFile> {
  let pathname: string;
  try {
    pathname = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, status: 400 };
  }
  if (pathname.includes('\0')) return { ok: false, status: 400 };

  const root = resolve(rootDir);
  const file = resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
  if (!file.startsWith(root + sep)) return { ok: false, status: 404 };

  try {
    const body = await readFile(file);
    return { ok: true, body, contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' };
  } catch {
    return { ok: false, status: 404 };
  }
}
