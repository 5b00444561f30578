/**
 * Atomic file writes (Node): every file a run writes (checkpoints, manifests, configs, metrics,
 * plots) goes to a temporary file beside its path, is flushed to disk and renamed over the path, so
 * a crash or a kill never leaves a half-written file. `node:fs` is imported when a write happens,
 * so browser bundles of the core entry, which re-exports these, pull in no Node module.
 */

/**
 * Writes bytes to `path` atomically (temp file in the same folder, fsync, rename).
 * @example await writeFileAtomic('run/config.json', new TextEncoder().encode(json));
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new Error(`writeFileAtomic: cannot write '${path}': ${(e as Error).message}`);
  }
}

/**
 * Writes `value` as JSON (2-space indent, one trailing newline) to `path` atomically.
 * @example await writeJsonAtomic('run/manifest.json', { iteration: 100 });
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`));
}
