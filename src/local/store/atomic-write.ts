import { open, rename, unlink } from 'node:fs/promises';

/**
 * Writes a file so that readers see either the old or the new content, never a torn one: write a sibling
 * temp file, fsync it, rename it over the target (rename is atomic within a directory on POSIX).
 */
export async function writeFileAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error: unknown) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
