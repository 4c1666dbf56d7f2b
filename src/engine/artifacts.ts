/**
 * Content-addressed artifacts: files a step declares as outputs are copied to
 * `<dir>/<first two hex digits>/<sha256>` (write to a temporary name, then rename), so equal
 * files are stored once and a stored file's name is its digest.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the artifact with this digest is (or would be) stored. */
export function artifactFile(dir: string, sha256: string): string {
  return join(dir, sha256.slice(0, 2), sha256);
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Stores the file at `path` in `dir`; resolves with its digest and size. */
export async function storeArtifact(
  dir: string,
  path: string,
): Promise<{ sha256: string; bytes: number }> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a file`);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await copyFile(path, tmp);
    const sha256 = await hashFile(tmp);
    const bytes = (await stat(tmp)).size;
    await mkdir(join(dir, sha256.slice(0, 2)), { recursive: true });
    await rename(tmp, artifactFile(dir, sha256));
    return { sha256, bytes };
  } finally {
    await rm(tmp, { force: true });
  }
}
