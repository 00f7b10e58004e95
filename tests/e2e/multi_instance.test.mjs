// Two eudiplo_sse_server processes on one Redis (issue 10): a change made through
// one instance reaches the streams of the other, races between instances have one
// winner, faults of Redis lose nothing and duplicate nothing, and expiry runs once.
// The test starts its own redis-server (redis/tests/redis_fixture.sh: loopback, a
// free port, AOF appendfsync always, a temporary directory) and stops it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// A missing node_modules must fail this file, never skip it: a static import does that.
import { EventSource } from 'eventsource';
import { startServer } from './lib/server.mjs';
import { createSession, getToken, openSse, patchStatus, request, setStatus, sleep, until } from './lib/http.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '..', '..', 'redis', 'tests', 'redis_fixture.sh');
const TERMINAL = new Set(['completed', 'failed', 'expired']);

const redis = {
  dir: mkdtempSync(path.join(os.tmpdir(), 'eudiplo-sse-redis-e2e-')),
  port: 0,
  start() {
    execFileSync(fixture, this.port ? ['start', this.dir, String(this.port)] : ['start', this.dir]);
    this.port = Number(readFileSync(path.join(this.dir, 'port'), 'utf8'));
  },
  stop() {
    execFileSync(fixture, ['stop', this.dir]);
  },
  cli(...args) {
    return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args], { encoding: 'utf8' });
  },
  get url() {
    return `redis://127.0.0.1:${this.port}/0`;
  },
};

let a;
let b;
let token;

before(async () => {
  redis.start();
  const flags = ['--redis', redis.url, '--no-access-log', '--heartbeat', '1', '--retry', '300'];
  a = await startServer(flags);
  b = await startServer(flags);
  token = await getToken(a);
  b.rememberSecret(token);
});

after(async () => {
  for (const s of [a, b]) if (s) await s.stop().catch(() => {});
  try {
    redis.stop();
  } finally {
    rmSync(redis.dir, { recursive: true, force: true });
  }
  for (const s of [a, b]) if (s) s.assertNoSecretsInLogs();
});

// Every event of `sse` with its version; asserts strictly increasing versions and
// exactly one terminal status, the last one.
function checkStream(sse, what) {
  const events = sse.events.map((e) => ({ version: Number(e.lastEventId), status: JSON.parse(e.data).status }));
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i].version > events[i - 1].version, `${what}: versions not increasing: ${JSON.stringify(events)}`);
  }
  const terminals = events.filter((e) => TERMINAL.has(e.status));
  assert.equal(terminals.length, 1, `${what}: terminal events: ${JSON.stringify(events)}`);
  assert.equal(events.at(-1), terminals[0], `${what}: terminal is not last`);
  return terminals[0];
}

async function stored(server, id) {
  const res = await request(server, 'GET', server.p(`/session/${id}`), { token });
  assert.equal(res.status, 200, res.text);
  return res.json;
}

// A change that may meet a Redis fault: a 503 (the outcome unknown) is retried,
// and setting the status a session already has is a no-op, so the retry is safe.
async function setStatusRetrying(server, id, status) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const res = await patchStatus(server, token, id, status);
    if (res.status === 200) return res.json;
    assert.equal(res.status, 503, `PATCH ${status}: ${res.status} ${res.text}`);
    assert.ok(Date.now() < deadline, `PATCH ${status} still 503 after 10 s`);
    await sleep(50);
  }
}

// Runs `fn` over `items` with at most `width` in flight.
async function pool(items, width, fn) {
  let next = 0;
  const workers = Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

test('created through A, followed on B with EventSource, changed through A', async () => {
  const s = await createSession(a, token);
  const messages = [];
  const statuses = [];
  const es = new EventSource(b.url(`/session/${s.id}/events?token=${encodeURIComponent(token)}`), {
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      statuses.push(res.status);
      return res;
    },
  });
  es.onmessage = (ev) => messages.push([ev.lastEventId, JSON.parse(ev.data).status]);
  try {
    await until(() => messages.length >= 1, 3000, 'active on B');
    await setStatus(a, token, s.id, 'fetched');
    await until(() => messages.length >= 2, 3000, 'fetched on B');
    await setStatus(a, token, s.id, 'completed');
    await until(() => es.readyState === EventSource.CLOSED, 5000, 'B closed after the terminal event');
  } finally {
    es.close();
  }
  assert.deepEqual(messages, [['1', 'active'], ['2', 'fetched'], ['3', 'completed']]);
  // The reconnect after the end carried Last-Event-ID 3 and got 204.
  assert.deepEqual(statuses, [200, 204]);
  for (const srv of [a, b]) {
    const res = await request(srv, 'GET', `${srv.p(`/session/${s.id}/events`)}?token=${encodeURIComponent(token)}`,
      { headers: { 'Last-Event-ID': '3' } });
    assert.equal(res.status, 204, `Last-Event-ID after the end on ${srv === a ? 'A' : 'B'}`);
  }
});

test('500 sessions changed concurrently through both: one winner, seen by every subscriber', async () => {
  const n = 500;
  const ids = [];
  await pool(Array.from({ length: n }, (_, i) => i), 32, async (i) => {
    ids[i] = (await createSession(i % 2 ? a : b, token)).id;
  });
  const streams = ids.flatMap((id) => [openSse(a, id, token), openSse(b, id, token)]);
  try {
    await pool(streams, 64, (sse) => sse.waitEvents(1, 10000));
    await pool(ids, 32, async (id) => {
      // Both instances race: fetched and completed through A, failed through B.
      await Promise.all([
        patchStatus(a, token, id, 'fetched').then(() => patchStatus(a, token, id, 'completed')),
        patchStatus(b, token, id, 'failed'),
      ]);
    });
    await pool(streams, 64, (sse) => sse.waitEnd(10000));
    await pool(ids, 32, async (id, i) => {
      const final = await stored(i % 2 ? b : a, id);
      assert.ok(TERMINAL.has(final.status), `${id} stored ${final.status}`);
      for (const [k, sse] of [streams[2 * i], streams[2 * i + 1]].entries()) {
        const t = checkStream(sse, `${id} on ${k ? 'B' : 'A'}`);
        assert.equal(t.status, final.status);
        assert.equal(t.version, final.version);
      }
    });
  } finally {
    for (const s of streams) s.close();
  }
});

// 200 streams split over A and B, a change per session while `fault` runs, then
// the terminal status: every stream must end with it (none dropped).
async function changesThrough(fault) {
  const n = 200;
  const ids = [];
  await pool(Array.from({ length: n / 2 }, (_, i) => i), 32, async (i) => {
    ids[i] = (await createSession(a, token)).id;
  });
  const streams = ids.flatMap((id) => [openSse(a, id, token), openSse(b, id, token)]);
  try {
    await pool(streams, 64, (sse) => sse.waitEvents(1, 10000));
    const changing = pool(ids, 8, async (id, i) => {
      await setStatusRetrying(i % 2 ? a : b, id, 'fetched');
      await sleep(5);
    });
    await fault();
    await changing;
    await pool(ids, 16, (id, i) => setStatusRetrying(i % 2 ? b : a, id, 'completed'));
    await pool(streams, 64, (sse) => sse.waitEnd(15000));
    for (const [k, sse] of streams.entries()) {
      const t = checkStream(sse, `stream ${k}`);
      assert.equal(t.status, 'completed');
      assert.equal(t.version, 3);
      assert.equal(sse.head.status, 200);
    }
  } finally {
    for (const s of streams) s.close();
  }
}

test('CLIENT KILL TYPE pubsub and normal while 200 streams are open: no stream dropped', async () => {
  await changesThrough(async () => {
    await sleep(50);
    assert.ok(Number(redis.cli('CLIENT', 'KILL', 'TYPE', 'pubsub')) >= 2, 'both bus connections killed');
    await sleep(50);
    assert.ok(Number(redis.cli('CLIENT', 'KILL', 'TYPE', 'normal')) >= 2, 'store connections killed');
  });
});

test('Redis stopped 5 s and restarted from its AOF: streams survive, 503 while down', async () => {
  const ids = [];
  for (let i = 0; i < 20; i++) ids.push((await createSession(a, token)).id);
  const streams = ids.flatMap((id) => [openSse(a, id, token), openSse(b, id, token)]);
  try {
    await pool(streams, 64, (sse) => sse.waitEvents(1, 10000));
    redis.stop();
    const downSince = Date.now();
    for (const srv of [a, b]) {
      const opened = openSse(srv, ids[0], token);
      await opened.waitHead(5000);
      assert.equal(opened.head.status, 503, 'a new stream while Redis is down');
      assert.ok(opened.head.headers['retry-after'], 'Retry-After');
      opened.close();
      const res = await patchStatus(srv, token, ids[0], 'fetched');
      assert.equal(res.status, 503, 'a change while Redis is down');
      assert.ok(res.headers['retry-after'], 'Retry-After on the change');
    }
    await sleep(Math.max(0, 5000 - (Date.now() - downSince)));
    for (const sse of streams) assert.equal(sse.ended, false, 'open streams stay open while Redis is down');
    redis.start();  // same port, same directory: the AOF brings the sessions back
    // The instances reconnect with backoff; a change is accepted once they have.
    const deadline = Date.now() + 10000;
    for (;;) {
      const res = await patchStatus(a, token, ids[0], 'fetched');
      if (res.status === 200) break;
      assert.equal(res.status, 503, res.text);
      assert.ok(Date.now() < deadline, 'no reconnect within 10 s');
      await sleep(100);
    }
    await pool(ids.slice(1), 8, (id, i) => setStatus(i % 2 ? a : b, token, id, 'fetched'));
    await pool(ids, 8, (id, i) => setStatus(i % 2 ? b : a, token, id, 'completed'));
    await pool(streams, 64, (sse) => sse.waitEnd(15000));
    for (const [k, sse] of streams.entries()) {
      const t = checkStream(sse, `stream ${k}`);
      assert.equal(t.status, 'completed');
      const seen = sse.events.map((e) => JSON.parse(e.data).status);
      assert.deepEqual(seen, ['active', 'fetched', 'completed'], `stream ${k}: nothing lost, nothing twice`);
    }
  } finally {
    for (const s of streams) s.close();
  }
});

test('expiry with two instances: exactly one expired per session', async () => {
  const ids = [];
  for (let i = 0; i < 40; i++) ids.push((await createSession(i % 2 ? a : b, token, { ttlSeconds: 1 })).id);
  const streams = ids.flatMap((id) => [openSse(a, id, token), openSse(b, id, token)]);
  try {
    await pool(streams, 64, (sse) => sse.waitEnd(6000));
    for (const [k, sse] of streams.entries()) {
      const t = checkStream(sse, `stream ${k}`);
      assert.equal(t.status, 'expired');
      assert.equal(t.version, 2, 'one transition: expired once, by one instance');
    }
    for (const id of ids) {
      const s = await stored(a, id);
      assert.equal(s.status, 'expired');
      assert.equal(s.version, 2);
    }
  } finally {
    for (const s of streams) s.close();
  }
});

test('--max-sessions-per-tenant with two instances: one shared count in Redis', async () => {
  // A tenant of its own, so the sessions of the other tests do not count.
  const client = { id: 'capped', secret: 'capped-secret-0123456789', tenant: 'capped-tenant' };
  const flags = ['--redis', redis.url, '--no-access-log', '--max-sessions-per-tenant', '5',
    '--client', `${client.id}:${client.secret}:${client.tenant}`];
  const c = await startServer(flags);
  const d = await startServer(flags);
  try {
    const t = await getToken(c, client);
    d.rememberSecret(t);
    const ids = [];
    // Created concurrently through both: exactly 5 get in, whatever the interleaving.
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => request(i % 2 ? c : d, 'POST', '/session', { token: t, json: {} })),
    );
    for (const r of answers) if (r.status === 201) ids.push(r.json.id);
    assert.equal(ids.length, 5, `created: ${answers.map((r) => r.status).join(',')}`);
    assert.equal(answers.filter((r) => r.status === 429).length, 7);
    for (const r of answers.filter((x) => x.status === 429)) assert.equal(r.json?.statusCode, 429);
    // A terminal status set through one instance frees the slot for the other.
    await setStatus(c, t, ids[0], 'failed');
    assert.equal((await request(d, 'POST', '/session', { token: t, json: {} })).status, 201);
    assert.equal((await request(c, 'POST', '/session', { token: t, json: {} })).status, 429);
  } finally {
    for (const s of [c, d]) await s.stop();
    for (const s of [c, d]) s.assertNoSecretsInLogs();
  }
});
