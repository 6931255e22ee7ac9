/**
 * Reading an export directory's manifest, validated, with clear errors; cached per worker by the
 * file's modification time and size, since every chunk activity of an import needs it.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ManifestError } from '../errors.js';
import { MANIFEST_FILE, PLAN_FILE, validateManifest, type Manifest } from './manifest.js';

const cache = new Map<string, { stamp: string; manifest: Manifest }>();

/** The validated manifest of the export in `dir`. Throws ManifestError naming the file and the fix. */
export async function loadManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new ManifestError(path, `cannot be read: ${(e as Error).message}`);
    const planned = await stat(join(dir, PLAN_FILE)).then(
      () => true,
      () => false,
    );
    throw new ManifestError(
      path,
      planned
        ? 'does not exist: the export into this directory has not finished; run the same `ferry export` again to complete it'
        : 'does not exist: this is not a ferry export directory (or not as the workers see it); give the directory `ferry export --to` wrote',
    );
  }
  const stamp = `${info.mtimeMs}:${info.size}`;
  const hit = cache.get(path);
  if (hit && hit.stamp === stamp) return hit.manifest;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ManifestError(path, `is not valid JSON (${(e as Error).message}); copy it again from the export, or re-run the export`);
  }
  const r = validateManifest(raw);
  if (!r.ok) throw new ManifestError(path, `is not a valid ferry manifest: ${r.message}`);
  cache.set(path, { stamp, manifest: r.manifest });
  return r.manifest;
}
