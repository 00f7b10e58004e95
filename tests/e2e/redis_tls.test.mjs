// Two eudiplo_sse_server processes on one Redis over TLS (rediss://), built against
// hiredis 1.x with hiredis_ssl (the hiredis1 preset registers this file). The test
// starts its own Redis that speaks TLS only and requires a client certificate
// (redis/tests/redis_fixture.sh with EUDIPLO_SSE_REDIS_TLS_DIR; certificates made by
// redis_tls_certs.sh) and stops it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// A missing node_modules must fail this file, never skip it: a static import does that.
import { EventSource } from 'eventsource';
import { JWT_SECRET, serverBinary, startServer } from './lib/server.mjs';
import { createSession, getToken, request, setStatus, sleep, until } from './lib/http.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '..', '..', 'redis', 'tests', 'redis_fixture.sh');
const work = mkdtempSync(path.join(os.tmpdir(), 'eudiplo-sse-redis-tls-e2e-'));
const certs = path.join(work, 'certs');
const env = { ...process.env, EUDIPLO_SSE_REDIS_TLS_DIR: certs };
const redisDir = path.join(work, 'redis');
let port = 0;

// The flags of a server on the fixture's Redis, with `ca` as the trusted CA.
function tlsFlags(ca = path.join(certs, 'ca.crt')) {
  return ['--redis', `rediss://127.0.0.1:${port}/0`, '--redis-tls-ca', ca,
    '--redis-tls-cert', path.join(certs, 'client.crt'), '--redis-tls-key', path.join(certs, 'client.key'),
    '--no-access-log', '--heartbeat', '1', '--retry', '300'];
}

let a;
let b;
let token;

before(async () => {
  execFileSync(fixture, ['start', redisDir], { env });
  port = Number(readFileSync(path.join(redisDir, 'port'), 'utf8'));
  a = await startServer(tlsFlags());
  b = await startServer(tlsFlags());
  token = await getToken(a);
  b.rememberSecret(token);
});

after(async () => {
  for (const s of [a, b]) if (s) await s.stop().catch(() => {});
  try {
    execFileSync(fixture, ['stop', redisDir], { env });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const s of [a, b]) if (s) s.assertNoSecretsInLogs();
});

test('over rediss://: created through A, followed on B, completed through A', async () => {
  const s = await createSession(a, token);
  const messages = [];
  const es = new EventSource(b.url(`/session/${s.id}/events?token=${encodeURIComponent(token)}`));
  es.onmessage = (ev) => messages.push([ev.lastEventId, JSON.parse(ev.data).status]);
  try {
    await until(() => messages.length >= 1, 5000, 'active on B');
    await setStatus(a, token, s.id, 'fetched');
    await until(() => messages.length >= 2, 5000, 'fetched on B');
    await setStatus(a, token, s.id, 'completed');
    await until(() => es.readyState === EventSource.CLOSED, 5000, 'B closed after the terminal event');
  } finally {
    es.close();
  }
  assert.deepEqual(messages, [['1', 'active'], ['2', 'fetched'], ['3', 'completed']]);
  // The session really is in Redis, seen from B over its own TLS connection.
  const res = await request(b, 'GET', b.p(`/session/${s.id}`), { token });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.status, 'completed');
});

test('a Redis certificate the server does not trust: logged once, 503 with Retry-After, no hang', async () => {
  const c = await startServer(tlsFlags(path.join(certs, 'other-ca.crt')));
  try {
    const cToken = c.rememberSecret(await getToken(c));
    const started = Date.now();
    const res = await request(c, 'POST', c.p('/session'), { token: cToken, json: {} });
    assert.equal(res.status, 503, res.text);
    assert.ok(res.headers['retry-after'], 'Retry-After on 503');
    assert.ok(Date.now() - started < 8000, 'the 503 comes within the command timeout');
    await until(() => /redis: Redis TLS: the server's certificate is not trusted/.test(c.stderr), 5000,
      'the verification failure in the log');
    await sleep(1500);  // several reconnect attempts
    const lines = c.stderr.split('\n').filter((l) => l.includes('not trusted'));
    // Once per connection (the store's and the bus's subscription), not once per retry.
    assert.ok(lines.length >= 1 && lines.length <= 2, `log lines: ${JSON.stringify(lines)}`);
  } finally {
    await c.stop();
  }
});

test('unreadable TLS files stop the server at startup with exit status 2', () => {
  const r = spawnSync(serverBinary(), ['--listen', '127.0.0.1:0', '--jwt-secret', JWT_SECRET,
    ...tlsFlags(path.join(work, 'missing-ca.pem'))], { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--redis-tls-\*: Redis TLS: cannot load the CA file or directory/);
});
