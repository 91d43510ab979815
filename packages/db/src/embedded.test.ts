import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, chmod } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded.ts';
import { makeTempDir, query } from './testing/server.ts';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
beforeAll(async () => {
  temp = await makeTempDir('embedded');
});
afterAll(async () => {
  await temp?.remove();
});

describe('startEmbeddedPostgres', () => {
  it('initialises a data folder once and keeps its data across a restart', async () => {
    const dataDir = join(temp.dir, 'restart');
    const first = await startEmbeddedPostgres({ dataDir, fast: true });
    try {
      await query(first.url, 'CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ($$still here$$)');
    } finally {
      await first.stop();
    }
    const lines: string[] = [];
    const second = await startEmbeddedPostgres({ dataDir, fast: true, log: (l) => lines.push(l) });
    try {
      expect(await query(second.url, 'SELECT v FROM kept')).toEqual([{ v: 'still here' }]);
      // A restart must not run initdb again (it would refuse the non-empty folder anyway).
      expect(lines.join('\n')).not.toMatch(/initdb|Success\. You can now start/);
      expect(lines.join('\n')).toMatch(/ready to accept connections/);
    } finally {
      await second.stop();
    }
  });

  it('explains a busy port instead of failing without a reason', async () => {
    const running = await startEmbeddedPostgres({ dataDir: join(temp.dir, 'a'), fast: true });
    try {
      await expect(
        startEmbeddedPostgres({ dataDir: join(temp.dir, 'b'), port: running.port, fast: true }),
      ).rejects.toThrow(new RegExp(`port ${running.port} is already in use`));
    } finally {
      await running.stop();
    }
  });

  it('takes over a data folder whose previous owner was killed with SIGKILL', async () => {
    const dataDir = join(temp.dir, 'orphan');
    const script = fileURLToPath(new URL('./testing/orphan.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.on('exit', (code) => reject(new Error(`orphan script exited with ${code}`)));
    });
    await query(url, 'CREATE TABLE survived (v INT); INSERT INTO survived VALUES (7)');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const orphanPid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    try {
      const server = await startEmbeddedPostgres({ dataDir, fast: true });
      try {
        expect(await query(server.url, 'SELECT v FROM survived')).toEqual([{ v: 7 }]);
      } finally {
        await server.stop();
      }
    } finally {
      // Never leave the orphan behind, even when the take-over failed.
      try {
        process.kill(orphanPid, 'SIGINT');
      } catch {
        // already gone: the expected case
      }
    }
  });

  it('stops cleanly when the server already died on its own', async () => {
    const dataDir = join(temp.dir, 'died');
    const server = await startEmbeddedPostgres({ dataDir, fast: true });
    const pid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
    // Without the guard this never settles: the library waits for an exit event already past.
    await expect(server.stop()).resolves.toBeUndefined();
  });

  it.runIf(userInfo().uid === 0)('names the folder the postgres user cannot enter', async () => {
    const closed = join(temp.dir, 'closed');
    await mkdir(closed, { mode: 0o700 });
    await chmod(closed, 0o700);
    await expect(startEmbeddedPostgres({ dataDir: join(closed, 'pg'), fast: true })).rejects.toThrow(
      new RegExp(`cannot enter ${closed}`),
    );
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
