/**
 * A throwaway redis-server for the queue tests: started on 127.0.0.1 on a free port, with no
 * persistence, stopped afterwards. CI installs Debian's redis-server (.ci/run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before } from 'node:test';

/** A port nobody listens on right now (the kernel's choice). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts redis-server; resolves once it accepts connections. Fails with a message saying how to
 * install it when the binary is missing.
 * @example const r = await startRedisServer(); ...; await r.stop();
 */
export async function startRedisServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port} within 15 s:\n${out}`)), 15_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start redis-server (${e.message}); install it: apt-get install -y redis-server`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code} before accepting connections:\n${out}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A test file's redis-server: started before its tests, stopped after.
 * @example const redis = testRedis(); it('...', () => bullmqExecutor({ redis: redis.url, concurrency: 1 }));
 */
export function testRedis(): { readonly url: string } {
  const fx = {} as { url: string; stop(): Promise<void> };
  before(async () => Object.assign(fx, await startRedisServer()));
  after(async () => fx.stop?.());
  return fx;
}
