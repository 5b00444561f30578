/**
 * An exclusive lock on a folder: a file created with O_EXCL holding the owner's process id and host.
 * A second process that tries to take it is refused with a message naming the owner; a lock whose
 * owner process has died (kill -9, power loss) on this host is detected as stale and taken over.
 */
import { hostname } from 'node:os';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The lock file's name inside a locked folder. */
export const LOCK_NAME = '.wgan-gp.lock';

/** The folder is locked by another live process. */
export class FolderLockedError extends Error {
  override readonly name = 'FolderLockedError';
}

/** A held lock; `release()` removes the lock file (idempotent). */
export interface FolderLock {
  readonly path: string;
  release(): Promise<void>;
}

interface LockInfo {
  pid: number;
  host: string;
  since: string;
  command?: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Takes the lock of folder `dir` (which must exist) for this process. `command` is recorded for the
 * message another process gets (e.g. 'train').
 * @example const lock = await lockFolder('runs/a', 'train'); try { ... } finally { await lock.release(); }
 */
export async function lockFolder(dir: string, command: string): Promise<FolderLock> {
  const path = join(dir, LOCK_NAME);
  const info: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(`${JSON.stringify(info)}\n`);
      } finally {
        await fh.close();
      }
      let released = false;
      return {
        path,
        release: async () => {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner: Partial<LockInfo> = {};
    try {
      owner = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo>;
    } catch {
      // Empty or torn (the owner died between create and write): stale.
    }
    const pid = typeof owner.pid === 'number' && Number.isInteger(owner.pid) && owner.pid > 0 ? owner.pid : undefined;
    const sameHost = owner.host === undefined || owner.host === hostname();
    if (pid !== undefined && (!sameHost || alive(pid))) {
      const who = `${owner.command ?? 'wgan-gp'} (process ${pid}${sameHost ? '' : ` on ${owner.host}`}, since ${owner.since ?? '?'})`;
      throw new FolderLockedError(`run folder '${dir}' is in use by ${who}; wait for it to finish, or stop it (if it is gone, remove '${path}')`);
    }
    await rm(path, { force: true }); // stale: its process is gone
  }
  throw new FolderLockedError(`run folder '${dir}': could not take the lock '${path}'`);
}
