// A slow session store holds no I/O thread (issue 10): eudiplo_sse_server on one I/O
// thread (--threads 1) with --redis, and Redis paused (CLIENT PAUSE) so that every
// store call waits. Requests that read the store (the session API, the events
// stream, POST /session/{id}/events-token) are answered once Redis resumes, while a
// request that needs no store, on another connection, is answered meanwhile. With
// answers made on the I/O thread, /healthz would wait for the pause to end.
// The test starts its own redis-server (redis/tests/redis_fixture.sh) and stops it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib/server.mjs';
import { makeSelfSignedCert } from './lib/tls_cert.mjs';
import { connect, createSession, getToken, openSse, request, sleep } from './lib/http.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '..', '..', 'redis', 'tests', 'redis_fixture.sh');
const PAUSE_MS = 1500;

const redis = {
  dir: mkdtempSync(path.join(os.tmpdir(), 'eudiplo-sse-redis-slow-')),
  port: 0,
  start() {
    execFileSync(fixture, ['start', this.dir]);
    this.port = Number(readFileSync(path.join(this.dir, 'port'), 'utf8'));
  },
  stop() {
    execFileSync(fixture, ['stop', this.dir]);
  },
  cli(...args) {
    return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args], { encoding: 'utf8' });
  },
};

let server;
let token;
let tlsServer;
let tlsToken;

before(async () => {
  redis.start();
  const flags = ['--redis', `redis://127.0.0.1:${redis.port}/0`, '--threads', '1', '--no-access-log'];
  server = await startServer(flags);
  token = await getToken(server);
  // TLS: the deferred answer resumes on the connection's strand.
  const cert = makeSelfSignedCert();
  tlsServer = await startServer([...flags, '--tls-cert', cert.cert, '--tls-key', cert.key], { ca: cert.pem });
  tlsToken = await getToken(tlsServer);
});

after(async () => {
  for (const s of [server, tlsServer]) if (s) await s.stop().catch(() => {});
  try {
    redis.stop();
  } finally {
    rmSync(redis.dir, { recursive: true, force: true });
  }
  for (const s of [server, tlsServer]) if (s) s.assertNoSecretsInLogs();
});

test('requests waiting for a paused store leave the only I/O thread free', async () => {
  await pausedStore(server, token);
});

test('the same over TLS', async () => {
  await pausedStore(tlsServer, tlsToken);
});

async function pausedStore(server, token) {
  const { id } = await createSession(server, token);
  redis.cli('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');
  const paused = Date.now();
  const get = request(server, 'GET', server.p(`/session/${id}`), { token });
  const mint = request(server, 'POST', server.p(`/session/${id}/events-token`), { token });
  const sse = openSse(server, id, token);
  await sleep(100); // the three are now waiting for Redis

  const asked = Date.now();
  const health = await request(server, 'GET', server.p('/healthz'));
  const healthMs = Date.now() - asked;
  assert.equal(health.status, 200);
  assert.equal(sse.head, null, 'the stream must wait for the store');

  const got = await get;
  const waitedMs = Date.now() - paused;
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.status, 'active');
  assert.ok(waitedMs >= PAUSE_MS - 300, `the store was not paused (answered after ${waitedMs} ms)`);
  assert.ok(healthMs < PAUSE_MS - 500, `/healthz waited ${healthMs} ms for the paused store`);

  const minted = await mint;
  assert.equal(minted.status, 201, minted.text);
  await sse.waitEvents(1, 5000);
  assert.equal(sse.head.status, 200);
  assert.deepEqual(sse.statuses, ['active']);
  sse.close();
}

test('a pipelined request after one waiting for the store is answered after it, in order', async () => {
  const { id } = await createSession(server, token);
  redis.cli('CLIENT', 'PAUSE', '500', 'ALL');
  const socket = connect(server);
  let text = '';
  socket.on('data', (d) => (text += d.toString('utf8')));
  const ended = new Promise((resolve) => socket.on('close', resolve));
  socket.write(
    `GET ${server.p(`/session/${id}`)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n\r\n` +
      `GET ${server.p('/healthz')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  );
  await ended;
  const first = text.indexOf('HTTP/1.1 200');
  const second = text.indexOf('HTTP/1.1 200', first + 1);
  assert.ok(first === 0 && second > 0, `two answers expected: ${text.slice(0, 200)}`);
  assert.ok(text.indexOf(`"id":"${id}"`) < second, 'the session must come first');
  assert.ok(text.indexOf('"status":"ok"') > second, '/healthz must come second');
});
