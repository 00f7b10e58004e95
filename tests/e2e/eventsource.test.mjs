// A real Node client: the npm `eventsource` package (WHATWG EventSource semantics,
// including reconnects and the 204 rule) against the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// A missing node_modules must fail this file, never skip it: a static import does that.
import { EventSource } from 'eventsource';
import { withServer } from './lib/server.mjs';
import { createSession, getToken, setStatus, until } from './lib/http.mjs';

// Wraps fetch to count the connection attempts and their statuses.
function countingFetch(log, extraHeaders = {}) {
  return async (input, init) => {
    const headers = { ...(init?.headers ?? {}), ...extraHeaders };
    const res = await fetch(input, { ...init, headers });
    log.push({ status: res.status, lastEventId: headers['Last-Event-ID'] ?? headers['last-event-id'] ?? null });
    return res;
  };
}

async function followLifecycle(srv, token, { viaHeader }) {
  const s = await createSession(srv, token);
  const messages = [];
  const errors = [];
  const requests = [];
  const url = viaHeader ? srv.url(`/session/${s.id}/events`) : srv.url(`/session/${s.id}/events?token=${encodeURIComponent(token)}`);
  const es = new EventSource(url, {
    fetch: countingFetch(requests, viaHeader ? { Authorization: `Bearer ${token}` } : {}),
  });
  es.onmessage = (ev) => messages.push({ id: ev.lastEventId, type: ev.type, data: JSON.parse(ev.data) });
  es.onerror = (err) => errors.push({ code: err.code, message: err.message, readyState: es.readyState });
  try {
    await until(() => messages.length >= 1, 3000, 'active');
    assert.equal(es.readyState, EventSource.OPEN);
    await setStatus(srv, token, s.id, 'fetched');
    await until(() => messages.length >= 2, 3000, 'fetched');
    await setStatus(srv, token, s.id, 'completed');
    await until(() => messages.length >= 3, 3000, 'completed');
    // After the end of the response the client reconnects once (after retry: 500),
    // sends Last-Event-ID 3, gets 204 and stays closed.
    await until(() => es.readyState === EventSource.CLOSED, 3000, 'readyState CLOSED after the terminal event');
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    es.close();
  }
  assert.deepEqual(
    messages.map((m) => [m.id, m.type, m.data.status]),
    [
      ['1', 'message', 'active'],
      ['2', 'message', 'fetched'],
      ['3', 'message', 'completed'],
    ],
  );
  for (const m of messages) {
    assert.deepEqual(Object.keys(m.data), ['id', 'status', 'updatedAt']);
    assert.equal(m.data.id, s.id);
  }
  assert.deepEqual(requests.map((r) => r.status), [200, 204], `connection attempts: ${JSON.stringify(requests)}`);
  assert.equal(requests[1].lastEventId, '3', 'the reconnect carries Last-Event-ID of the terminal event');
  assert.equal(errors.at(-1)?.code, 204, `last error: ${JSON.stringify(errors)}`);
}

test('the npm eventsource client receives active, fetched, completed through onmessage (token in the query)', async () => {
  await withServer(['--retry', '500'], async (srv) => {
    const token = await getToken(srv);
    await followLifecycle(srv, token, { viaHeader: false });
  });
});

test('the npm eventsource client with an Authorization header (custom fetch)', async () => {
  await withServer(['--retry', '500'], async (srv) => {
    const token = await getToken(srv);
    await followLifecycle(srv, token, { viaHeader: true });
  });
});

test('the npm eventsource client gets a 401 for a bad token and does not retry', async () => {
  await withServer(['--retry', '500'], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const requests = [];
    const errors = [];
    const bad = 'bad.token.value';
    srv.rememberSecret(bad);
    const es = new EventSource(srv.url(`/session/${s.id}/events?token=${bad}`), { fetch: countingFetch(requests) });
    es.onerror = (err) => errors.push(err.code);
    es.onmessage = () => assert.fail('no message on a refused stream');
    try {
      await until(() => es.readyState === EventSource.CLOSED, 3000, 'CLOSED');
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      es.close();
    }
    assert.deepEqual(requests.map((r) => r.status), [401]);
    assert.deepEqual(errors, [401]);
  });
});
