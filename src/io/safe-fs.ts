/**
 * File-system checks done before the tool reads or writes anything a user named, so that a bad path
 * is refused up front with a message naming it instead of hanging, spinning or half-writing:
 *
 * - {@link readRegularFile}: a FIFO, a device or a folder given as a file would block `readFile`
 *   forever or fail obscurely; only regular files are read.
 * - {@link checkWritableFolder}: the first existing ancestor of a folder to create must be a
 *   writable folder on a real file system (`mkdir -p /proc/x` spins forever in Node 20; a read-only
 *   folder reports ENOENT from `mkdir` on some systems).
 * - {@link writeNewFile}: writes an output file without replacing one that exists (unless asked).
 * - {@link removeStaleTemps}: removes the temporary files of writes a crash or kill interrupted.
 *
 * Errors are {@link FileCheckError}s whose message names the path and the problem.
 */
import { constants, type Stats } from 'node:fs';
import { access, copyFile, link, lstat, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** A path that cannot be used as asked; the message names it and says why. */
export class FileCheckError extends Error {
  override readonly name = 'FileCheckError';
}

/** Pseudo file systems whose entries are not files a run may live in. */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

function describe(st: Stats): string {
  if (st.isFile()) return 'a file';
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Reads `path` if it is a regular file (after following links); a FIFO, device, socket or folder is
 * refused at once, naming `what` and the path.
 * @example const bytes = await readRegularFile('runs/a/checkpoints/weights-0000100.safetensors', 'weights file');
 */
export async function readRegularFile(path: string, what = 'file'): Promise<Buffer> {
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw Object.assign(new FileCheckError(`${what} '${path}' does not exist`), { code: 'ENOENT' });
    throw new FileCheckError(`cannot read ${what} '${path}': ${err.code ?? err.message}`);
  }
  if (!st.isFile()) throw new FileCheckError(`${what} '${path}' is ${describe(st)}, not a regular file`);
  try {
    return await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new FileCheckError(`cannot read ${what} '${path}': ${err.code === 'EACCES' ? 'permission denied' : (err.code ?? err.message)}`);
  }
}

/**
 * Checks that folder `dir` exists or can be created: it is not under /proc, /sys or /dev, it is a
 * folder if it exists, and its nearest existing ancestor is a writable folder. `flag` names the
 * option in messages (e.g. `--out`). Changes nothing.
 * @example await checkWritableFolder('runs/new', '--out');
 */
export async function checkWritableFolder(dir: string, flag: string): Promise<void> {
  if (dir.trim() === '') throw new FileCheckError(`${flag} is empty: name a folder`);
  const abs = resolve(dir);
  for (const p of PSEUDO_ROOTS) {
    if (abs === p || abs.startsWith(`${p}/`)) throw new FileCheckError(`${flag} '${dir}' is under ${p}, a system pseudo file system: choose another folder`);
  }
  let at = abs;
  for (;;) {
    let st: Stats | undefined;
    try {
      st = await stat(at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new FileCheckError(`${flag} '${dir}': cannot use '${at}' (${code})`);
    }
    if (st) {
      if (!st.isDirectory()) throw new FileCheckError(`${flag} '${dir}': '${at}' is ${describe(st)}, not a folder`);
      try {
        await access(at, constants.W_OK | constants.X_OK);
      } catch {
        throw new FileCheckError(`${flag} '${dir}': folder '${at}' is not writable (read-only or permission denied)`);
      }
      return;
    }
    const up = dirname(at);
    if (up === at) return;
    at = up;
  }
}

/**
 * Writes `bytes` to a new file `path`; an existing file is an error naming `flag` unless `force`.
 * See {@link writeOutputFile}.
 * @example await writeNewFile('samples.csv', bytes, { flag: '--out' });
 */
export async function writeNewFile(path: string, bytes: Uint8Array | string, opts: { flag: string; force?: boolean }): Promise<void> {
  await writeOutputFile(path, opts, async (write) => write(bytes));
}

/**
 * Writes output file `path` piece by piece (`body` calls `write` per batch, so nothing large sits in
 * memory) into a temporary file beside it, then puts it in place: linked, which fails if a file has
 * appeared there, or with `force` renamed over the old one. A failure leaves no partial file. The
 * checks of {@link checkOutputFile} come first.
 * @example await writeOutputFile('points.csv', { flag: '--out' }, async (write) => { for (const b of batches) await write(csv(b)); });
 */
export async function writeOutputFile(path: string, opts: { flag: string; force?: boolean }, body: (write: (chunk: Uint8Array | string) => Promise<void>) => Promise<void>): Promise<void> {
  await checkOutputFile(path, opts);
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  let fh;
  try {
    fh = await open(tmp, 'wx');
  } catch (e) {
    throw outputError(path, opts.flag, e as NodeJS.ErrnoException);
  }
  try {
    try {
      await body(async (chunk) => void (await fh.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)));
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (opts.force) await rename(tmp, path);
    else {
      // Atomic no-replace: EEXIST if a file appeared meanwhile. File systems without hard links copy instead.
      await link(tmp, path).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'EPERM' && e.code !== 'ENOTSUP' && e.code !== 'ENOSYS') throw e;
        await copyFile(tmp, path, constants.COPYFILE_EXCL);
      });
    }
  } catch (e) {
    await rm(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EEXIST' || err.code === 'EACCES') throw outputError(path, opts.flag, err);
    if (err.code === 'ENOSPC' || err.code === 'EFBIG' || err.code === 'EDQUOT') throw new FileCheckError(`${opts.flag} '${path}': write failed (${err.code}: disk full or file too large); nothing was left behind`);
    throw e;
  }
  await rm(tmp, { force: true });
}

function outputError(path: string, flag: string, e: NodeJS.ErrnoException): FileCheckError {
  if (e.code === 'EEXIST') return new FileCheckError(`${flag} '${path}' already exists; choose another file, or pass --force to replace it`);
  if (e.code === 'ENOENT') return new FileCheckError(`${flag} '${path}': folder '${dirname(path)}' does not exist`);
  if (e.code === 'EACCES' || e.code === 'EROFS' || e.code === 'EPERM') return new FileCheckError(`${flag} '${path}': folder '${dirname(path)}' is not writable (read-only or permission denied)`);
  return new FileCheckError(`${flag} '${path}': ${e.code ?? e.message}`);
}

/**
 * Checks, changing nothing, that output file `path` may be written: a non-empty name in an existing,
 * writable folder (not /proc, /sys, /dev), and no file there already unless `force`; never a
 * FIFO, device or folder.
 * @example await checkOutputFile('grid.png', { flag: '--out' });
 */
export async function checkOutputFile(path: string, opts: { flag: string; force?: boolean }): Promise<void> {
  if (path.trim() === '') throw new FileCheckError(`${opts.flag} is empty: name a file`);
  const abs = resolve(path);
  for (const p of PSEUDO_ROOTS) {
    if (abs.startsWith(`${p}/`)) throw new FileCheckError(`${opts.flag} '${path}' is under ${p}, a system pseudo file system: choose another file`);
  }
  const st = await lstat(path).catch(() => undefined);
  if (st) {
    if (!st.isFile()) throw new FileCheckError(`${opts.flag} '${path}' is ${st.isSymbolicLink() ? 'a symbolic link' : describe(st)}; name a new file`);
    if (!opts.force) throw outputError(path, opts.flag, Object.assign(new Error('exists'), { code: 'EEXIST' }));
  }
  const parent = await stat(dirname(abs)).catch(() => undefined);
  if (!parent?.isDirectory()) throw outputError(path, opts.flag, Object.assign(new Error('no folder'), { code: 'ENOENT' }));
  try {
    await access(dirname(abs), constants.W_OK | constants.X_OK);
  } catch {
    throw outputError(path, opts.flag, Object.assign(new Error('read-only'), { code: 'EACCES' }));
  }
}

/** The name pattern of {@link writeFileAtomic}'s temporary files: `<name>.<pid>.<random>.tmp`. */
export const TEMP_FILE = /\.\d+\.[0-9a-z]+\.tmp$/;

/**
 * Removes temporary files of interrupted atomic writes in `dirs` (not recursive). Call it only while
 * holding the folder's lock: then no other writer can own them. Returns the paths removed.
 * @example await removeStaleTemps(['runs/a', 'runs/a/checkpoints']);
 */
export async function removeStaleTemps(dirs: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const d of dirs) {
    const names = await readdir(d).catch(() => [] as string[]);
    for (const n of names) {
      if (!TEMP_FILE.test(n)) continue;
      await rm(join(d, n), { force: true });
      removed.push(join(d, n));
    }
  }
  return removed;
}
