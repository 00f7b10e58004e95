// What an idle connection costs the example server: opens 2,000 connections that
// never send a byte, three rounds, and prints the server's RSS with them open and
// after the header timeout closed them. Plain HTTP, or TLS (`tls`: each connection
// then holds its pre-handshake TLS state until the timeout).
//
//   cd tests/e2e && npm ci && cd ../..
//   EUDIPLO_SSE_SERVER=build/dev/examples/eudiplo_sse_server node bench/idle_connections_rss.mjs plain
//   EUDIPLO_SSE_SERVER=build/dev/examples/eudiplo_sse_server node bench/idle_connections_rss.mjs tls
// Needs `ulimit -n` of 4,000 or more.
import net from 'node:net';
import { startServer } from '../tests/e2e/lib/server.mjs';
import { makeSelfSignedCert } from '../tests/e2e/lib/tls_cert.mjs';

const useTls = process.argv[2] === 'tls';
const CONNECTIONS = 2000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cert = makeSelfSignedCert();
const flags = ['--header-timeout', '3', '--max-connections', '5000',
  ...(useTls ? ['--tls-cert', cert.cert, '--tls-key', cert.key] : [])];
const srv = await startServer(flags, { ca: cert.pem });
const rss = () => (srv.rssKiB() / 1024).toFixed(1);
console.log(`${useTls ? 'tls' : 'plain'}: started, RSS ${rss()} MiB`);
for (let round = 0; round < 3; round++) {
  let closed = 0;
  for (let i = 0; i < CONNECTIONS; i++) {
    const s = net.connect(srv.port, srv.host);
    s.on('error', () => {});
    s.on('close', () => closed++);
    if (i % 200 === 199) await sleep(20);
  }
  await sleep(1500);
  console.log(`round ${round}: ${CONNECTIONS} idle connections open, RSS ${rss()} MiB`);
  while (closed < CONNECTIONS) await sleep(100);
  await sleep(300);
  console.log(`round ${round}: all closed by the server, RSS ${rss()} MiB`);
}
await srv.stop();
