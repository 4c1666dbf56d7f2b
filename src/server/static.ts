/**
 * Serves the built web UI (dist/web) from the package itself: hashed assets cached forever,
 * index.html for every other path (client-side routes), never a file outside the folder.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'hono';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** The folder of the built UI inside this package (`dist/web`). */
export function defaultWebDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../web');
}

interface Asset {
  readonly body: Uint8Array;
  readonly type: string;
}

/** Loads every file of `dir` into memory (the bundle is small) and returns a handler. */
export function staticHandler(dir: string): (c: Context) => Response {
  const assets = new Map<string, Asset>();
  const load = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) load(path);
      else {
        const rel = `/${relative(dir, path).split('\\').join('/')}`;
        assets.set(rel, {
          body: readFileSync(path),
          type: TYPES[extname(name)] ?? 'application/octet-stream',
        });
      }
    }
  };
  if (existsSync(dir)) load(dir);
  const index = assets.get('/index.html');
  return (c) => {
    const asset = assets.get(c.req.path);
    if (asset !== undefined && c.req.path !== '/index.html') {
      return new Response(asset.body, {
        headers: {
          'content-type': asset.type,
          'cache-control': c.req.path.startsWith('/assets/')
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
        },
      });
    }
    if (extname(c.req.path) !== '' || index === undefined) {
      if (index === undefined) {
        return c.text(
          'The Runboard UI is not built. Run `npm run build` in the Pulser package.\nThe JSON API is at /api/.',
          503,
        );
      }
      return c.text('not found', 404);
    }
    return new Response(index.body, {
      headers: { 'content-type': index.type, 'cache-control': 'no-cache' },
    });
  };
}
