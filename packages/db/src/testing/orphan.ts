// Child process for embedded.test.ts: starts a server, prints its URL, then waits to be killed
// (SIGKILL leaves the server running, as a crashed platform process would).
import { startEmbeddedPostgres } from '../embedded.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: orphan.ts <dataDir>');
const server = await startEmbeddedPostgres({ dataDir, fast: true });
process.stdout.write(`${server.url}\n`);
setInterval(() => {}, 1 << 30);
