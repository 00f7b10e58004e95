// Issue 11, the last caps of the example server: live sessions per tenant (429 with
// a JSON error, counted in /metrics), and /metrics on its own listen address (404 on
// the main one; the scrape token still applies there). The Redis form of the
// tenant cap, shared by two instances, is in multi_instance.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { withServer, OTHER_CLIENT } from './lib/server.mjs';
import { createSession, getToken, request, setStatus, sleep } from './lib/http.mjs';
import { parsePrometheus } from './lib/metrics.mjs';

function counterIn(text, name) {
  const s = parsePrometheus(text).samples.find((x) => x.name === name);
  assert.ok(s, `metrics have ${name}`);
  return s.value;
}

test('--max-sessions-per-tenant: 429 with a JSON error beyond the cap, per tenant, freed by a terminal status', async () => {
  const otherClient = `${OTHER_CLIENT.id}:${OTHER_CLIENT.secret}:${OTHER_CLIENT.tenant}`;
  await withServer(['--max-sessions-per-tenant', '3', '--client', otherClient], async (srv) => {
    const token = await getToken(srv);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await createSession(srv, token)).id);
    const refused = await request(srv, 'POST', '/session', { token, json: {} });
    assert.equal(refused.status, 429, refused.text);
    assert.match(refused.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(refused.json?.statusCode, 429, `JSON error body: ${refused.text}`);
    assert.equal(refused.json.error, 'Too Many Requests');
    assert.match(refused.json.message, /too many live sessions for this tenant/);
    assert.ok(!refused.text.includes(token), 'no token in the error');
    // Another tenant is not held back by this one.
    const other = await getToken(srv, OTHER_CLIENT);
    await createSession(srv, other);
    // A terminal status frees a slot; a non-terminal one does not.
    await setStatus(srv, token, ids[0], 'fetched');
    assert.equal((await request(srv, 'POST', '/session', { token, json: {} })).status, 429);
    await setStatus(srv, token, ids[0], 'completed');
    await createSession(srv, token);
    assert.equal((await request(srv, 'POST', '/session', { token, json: {} })).status, 429);
    const m = await request(srv, 'GET', '/metrics');
    assert.equal(counterIn(m.text, 'eudiplo_sse_sessions_refused_total'), 3);
  });
});

test('--max-sessions-per-tenant: expiry frees a slot', async () => {
  await withServer(['--max-sessions-per-tenant', '1'], async (srv) => {
    const token = await getToken(srv);
    await createSession(srv, token, { ttlSeconds: 1 });
    assert.equal((await request(srv, 'POST', '/session', { token, json: {} })).status, 429);
    await sleep(2200);  // expiry is seen within a second of the deadline
    await createSession(srv, token);
  });
});

test('--max-sessions-per-tenant 0 is no cap', async () => {
  await withServer(['--max-sessions-per-tenant', '0'], async (srv) => {
    const token = await getToken(srv);
    for (let i = 0; i < 20; i++) await createSession(srv, token);
  });
});

// GET on a raw http request, without the server helper (another port).
function get(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function metricsPort(srv) {
  const end = Date.now() + 5000;
  for (;;) {
    const m = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(srv.stdout);
    if (m) return Number(m[1]);
    assert.ok(Date.now() < end, `no "metrics on" line: ${srv.stdout}`);
    await sleep(20);
  }
}

test('--metrics-listen: /metrics only there, 404 on the main listener', async () => {
  await withServer(['--metrics-listen', '127.0.0.1:0', '--base-path', '/api'], async (srv) => {
    const port = await metricsPort(srv);
    assert.notEqual(port, srv.port);
    assert.equal((await request(srv, 'GET', '/api/metrics')).status, 404);
    assert.equal((await request(srv, 'GET', '/api/healthz')).status, 200);
    const m = await get(port, '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(m.text, /^eudiplo_sse_open_streams 0$/m);
    assert.match(m.text, /^eudiplo_sse_http_connections \d+$/m);
    // Nothing else is served there: not the API, not the health check.
    assert.equal((await get(port, '/healthz')).status, 404);
    assert.equal((await get(port, '/api/healthz')).status, 404);
    assert.equal((await get(port, '/session/x/events')).status, 404);
  });
});

test('--metrics-listen with --metrics-token: the token is needed there', async () => {
  const scrape = 'scrape-token-for-metrics-listen-0123';
  await withServer(['--metrics-listen', '127.0.0.1:0', '--metrics-token', scrape], async (srv) => {
    srv.rememberSecret(scrape);
    const port = await metricsPort(srv);
    const none = await get(port, '/metrics');
    assert.equal(none.status, 401);
    assert.ok(!none.text.includes('eudiplo_sse_'), 'no metrics in the refusal');
    assert.equal((await get(port, '/metrics', { authorization: `Bearer ${scrape}x` })).status, 401);
    const right = await get(port, '/metrics', { authorization: `Bearer ${scrape}` });
    assert.equal(right.status, 200);
    assert.match(right.text, /^eudiplo_sse_open_streams 0$/m);
    assert.equal((await request(srv, 'GET', '/metrics', { token: scrape })).status, 404);
  });
});
