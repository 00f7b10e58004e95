// Contract sections 3 and 5 over raw sockets: the events endpoint's checks and
// framing, the example server's routes and flags, and malformed input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JWT_SECRET, OTHER_CLIENT, startServer, withServer } from './lib/server.mjs';
import {
  RawSse,
  connect,
  createSession,
  eventsPath,
  getToken,
  openSse,
  patchStatus,
  rawExchange,
  rawGet,
  request,
  setStatus,
  sleep,
} from './lib/http.mjs';
import { b64url, decodeJwt, makeKeySet, nowSeconds, signHs256, signJws, verifyHs256 } from './lib/jwt.mjs';
import { makeSelfSignedCert } from './lib/tls_cert.mjs';
import {
  ISO_MS_Z,
  assertErrorResponse,
  assertEvents,
  assertNoSecrets,
  assertRetryFirst,
  assertStreamHeaders,
} from './lib/contract_checks.mjs';
import { AUTH_FAILURES, EVENTS_SENT, OPEN_STREAMS, metrics, pick, waitOpenStreams } from './lib/metrics.mjs';

function hmacToken(payload, alg, hash) {
  const head = b64url(JSON.stringify({ alg, typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  return `${head}.${body}.${createHmac(hash, JWT_SECRET).update(`${head}.${body}`).digest('base64url')}`;
}

// A token like the server's own, with some claims changed and signed here.
function forge(server, template, changes, { secret = JWT_SECRET, header } = {}) {
  const { header: h, payload } = decodeJwt(template);
  const claims = { ...payload, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete claims[k];
  return server.rememberSecret(signHs256(claims, secret, header ?? h));
}

test('token endpoint issues HS256 tokens with the EUDIPLO claims (Basic, form and JSON credentials)', async () => {
  await withServer([], async (srv) => {
    const basic = Buffer.from('demo:demo-secret').toString('base64');
    const res = await request(srv, 'POST', '/oauth2/token', {
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 200, res.text);
    srv.rememberSecret(res.json.access_token);
    assert.equal(res.json.token_type, 'Bearer');
    assert.ok(Number.isInteger(res.json.expires_in) && res.json.expires_in > 0, `expires_in ${res.json.expires_in}`);
    const { header, payload } = decodeJwt(res.json.access_token);
    assert.equal(header.alg, 'HS256');
    assert.ok(verifyHs256(res.json.access_token, JWT_SECRET), 'signed with --jwt-secret');
    assert.equal(payload.iss, 'eudiplo-service');
    assert.equal(payload.tenant_id, 'demo');
    assert.equal(typeof payload.sub, 'string');
    assert.ok(Array.isArray(payload.roles), 'roles is an array');
    assert.ok(Math.abs(payload.iat - nowSeconds()) <= 5, 'iat is now');
    assert.equal(payload.exp - payload.iat, res.json.expires_in, 'exp = iat + expires_in');
    assert.equal(payload.aud, undefined, 'no aud when --audience is not set');

    const form = await request(srv, 'POST', '/oauth2/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=demo&client_secret=demo-secret',
    });
    assert.equal(form.status, 200, `form credentials: ${form.text}`);
    srv.rememberSecret(form.json.access_token);
    const json = await request(srv, 'POST', '/oauth2/token', {
      json: { grant_type: 'client_credentials', client_id: 'demo', client_secret: 'demo-secret' },
    });
    assert.equal(json.status, 200, `JSON credentials: ${json.text}`);
    srv.rememberSecret(json.json.access_token);

    const wrong = await request(srv, 'POST', '/oauth2/token', {
      headers: { authorization: `Basic ${Buffer.from('demo:wrong').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(wrong.status, 401, `wrong client secret: ${wrong.text}`);
    assert.equal(wrong.json?.access_token, undefined);
  });
});

test('full lifecycle active -> fetched -> completed arrives in order, then the stream ends', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const sse = openSse(srv, s.id, token);
    // Headers and the first event go out at once, without any further change.
    await sse.waitEvents(1, 1000);
    assertStreamHeaders(sse.head);
    assert.equal(sse.firstBody.subarray(0, 6).toString('latin1'), 'retry:', 'the body starts with "retry:" (no BOM)');
    await setStatus(srv, token, s.id, 'fetched');
    await sse.waitEvents(2, 2000);
    const done = await setStatus(srv, token, s.id, 'completed');
    await sse.waitEnd(2000);
    assertRetryFirst(sse, 3000);
    assertEvents(sse.events, s.id, [
      { id: '1', status: 'active' },
      { id: '2', status: 'fetched' },
      { id: '3', status: 'completed' },
    ]);
    assert.ok(['eof', 'chunked'].includes(sse.endedHow), `response ended cleanly: ${sse.endedHow}`);
    // Nothing after the terminal event but the end of the response.
    const last = sse.records.at(-1);
    assert.equal(last.kind, 'event', 'the terminal event is the last record');
    const got = await request(srv, 'GET', `/session/${s.id}`, { token });
    assert.equal(got.json.version, 3, 'event id is the version');
    assert.equal(JSON.parse(last.data).updatedAt, got.json.updatedAt);
    assert.equal(done.version, 3);
  });
});

test('a status change that lands while the client connects is neither lost nor out of order', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    for (let i = 0; i < 20; i++) {
      const s = await createSession(srv, token);
      const sse = openSse(srv, s.id, token);
      await setStatus(srv, token, s.id, 'fetched');  // races with the subscription
      await sse.waitUntil(() => sse.statuses.includes('fetched'), 2000, 'fetched');
      await setStatus(srv, token, s.id, 'completed');
      await sse.waitEnd(2000);
      const ids = sse.events.map((e) => Number(e.idField));
      const expected = ids[0] === 1 ? [1, 2, 3] : [2, 3];
      assert.deepEqual(ids, expected, `iteration ${i}: ids ${ids}`);
      assert.deepEqual(sse.statuses, ['active', 'fetched', 'completed'].slice(3 - expected.length));
    }
  });
});

test('a session expires by itself with --session-ttl 1; the stream ends; late changes get 409; reconnect gets 204', async () => {
  await withServer(['--session-ttl', '1'], async (srv) => {
    const token = await getToken(srv);
    const t0 = Date.now();
    const s = await createSession(srv, token);
    assert.equal(Date.parse(s.expiresAt) - Date.parse(s.createdAt), 1000, 'expiresAt = createdAt + ttl');
    const sse = openSse(srv, s.id, token);
    await sse.waitEnd(3000);
    const elapsed = sse.events.at(-1).at - t0;
    assert.ok(elapsed <= 2500, `expired after ${elapsed} ms (ttl 1 s, contract: within a second)`);
    assertRetryFirst(sse, 3000);
    assertEvents(sse.events, s.id, [
      { id: '1', status: 'active' },
      { id: '2', status: 'expired' },
    ]);
    const late = await patchStatus(srv, token, s.id, 'completed');
    assertErrorResponse({ ...late, body: late.text }, 409, { secrets: [token], what: 'PATCH completed after expired' });
    const got = await request(srv, 'GET', `/session/${s.id}`, { token });
    assert.equal(got.json.status, 'expired');
    const again = await rawGet(srv, eventsPath(srv, s.id, token), { 'Last-Event-ID': '2' });
    assert.equal(again.status, 204, 'Last-Event-ID of the expired event');
  });
});

test('POST /session {"ttlSeconds":1} sets the lifetime of that session', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token, { ttlSeconds: 1 });
    assert.equal(Date.parse(s.expiresAt) - Date.parse(s.createdAt), 1000);
    const long = await createSession(srv, token);
    assert.equal(Date.parse(long.expiresAt) - Date.parse(long.createdAt), 300000, 'default --session-ttl is 300 s');
    const sse = openSse(srv, s.id, token);
    await sse.waitEnd(3000);
    assert.deepEqual(sse.statuses, ['active', 'expired']);
  });
});

test('failed is delivered and ends the stream (active -> failed and fetched -> failed)', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const a = await createSession(srv, token);
    const sa = openSse(srv, a.id, token);
    await sa.waitEvents(1);
    await setStatus(srv, token, a.id, 'failed');
    await sa.waitEnd(2000);
    assertEvents(sa.events, a.id, [
      { id: '1', status: 'active' },
      { id: '2', status: 'failed' },
    ]);
    const b = await createSession(srv, token);
    const sb = openSse(srv, b.id, token);
    await sb.waitEvents(1);
    await setStatus(srv, token, b.id, 'fetched');
    await sb.waitEvents(2);
    await setStatus(srv, token, b.id, 'failed');
    await sb.waitEnd(2000);
    assertEvents(sb.events, b.id, [
      { id: '1', status: 'active' },
      { id: '2', status: 'fetched' },
      { id: '3', status: 'failed' },
    ]);
  });
});

test('401 for a missing, malformed, badly signed, expired, not yet valid, wrong-issuer, alg none or oversized token', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const now = nowSeconds();
    const bad = {
      garbage: srv.rememberSecret('garbage-token-value-not-a-jwt-0123456789'),
      'three garbage segments': srv.rememberSecret('aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbb.cccccccccccccccccccc'),
      'bad signature': forge(srv, token, {}, { secret: 'another-secret-that-is-32-bytes-or-longer!!' }),
      expired: forge(srv, token, { iat: now - 600, exp: now - 120 }),
      'not yet valid': forge(srv, token, { nbf: now + 600, exp: now + 1200 }),
      'wrong iss': forge(srv, token, { iss: 'someone-else' }),
      'no exp': forge(srv, token, { exp: undefined }),
      'alg none': srv.rememberSecret(`${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${token.split('.')[1]}.`),
      'over 8 KiB': forge(srv, token, { pad: 'x'.repeat(9000) }),
      // The secret is an HS256 key: the token's alg header must not pick another algorithm.
      'HS384 with the right secret': srv.rememberSecret(hmacToken(decodeJwt(token).payload, 'HS384', 'sha384')),
      'HS512 with the right secret': srv.rememberSecret(hmacToken(decodeJwt(token).payload, 'HS512', 'sha512')),
      'unknown crit header': forge(srv, token, {}, { header: { alg: 'HS256', typ: 'JWT', crit: ['x-e2e'], 'x-e2e': 1 } }),
    };
    const none = await rawGet(srv, eventsPath(srv, s.id));
    assertErrorResponse(none, 401, { what: 'no token' });
    const secrets = [token, ...Object.values(bad)];
    for (const [what, t] of Object.entries(bad)) {
      if (what !== 'over 8 KiB') {
        const viaQuery = await rawGet(srv, eventsPath(srv, s.id, t));
        assertErrorResponse(viaQuery, 401, { secrets, what: `${what} (query)` });
      }
      const viaHeader = await rawGet(srv, eventsPath(srv, s.id), { Authorization: `Bearer ${t}` });
      assertErrorResponse(viaHeader, 401, { secrets, what: `${what} (header)` });
    }
    // Sanity: the same template with only the expiry moved is accepted, so the
    // refusals above are about the changed claim.
    const fine = forge(srv, token, { exp: now + 600 });
    const ok = new RawSse(srv, eventsPath(srv, s.id, fine));
    await ok.waitEvents(1);
    assert.equal(ok.head.status, 200);
    ok.close();
    // Every other route wants a token too.
    for (const [m, p] of [['POST', '/session'], ['GET', `/session/${s.id}`], ['PATCH', `/session/${s.id}`]]) {
      const r = await request(srv, m, p, m === 'PATCH' ? { json: { status: 'fetched' } } : {});
      assertErrorResponse({ ...r, body: r.text }, 401, { what: `${m} ${p} without token` });
    }
  });
});

test('401 when --audience is set and the token lacks it; the token endpoint then adds aud', async () => {
  await withServer(['--audience', 'e2e-audience'], async (srv) => {
    const token = await getToken(srv);
    const { payload } = decodeJwt(token);
    assert.ok(payload.aud === 'e2e-audience' || (Array.isArray(payload.aud) && payload.aud.includes('e2e-audience')), `aud ${payload.aud}`);
    const s = await createSession(srv, token);
    const noAud = forge(srv, token, { aud: undefined });
    const wrongAud = forge(srv, token, { aud: 'other-audience' });
    const inList = forge(srv, token, { aud: ['x', 'e2e-audience'] });
    assertErrorResponse(await rawGet(srv, eventsPath(srv, s.id, noAud)), 401, { secrets: [noAud], what: 'no aud' });
    assertErrorResponse(await rawGet(srv, eventsPath(srv, s.id, wrongAud)), 401, { secrets: [wrongAud], what: 'wrong aud' });
    const sse = openSse(srv, s.id, inList);
    await sse.waitEvents(1);
    assert.equal(sse.head.status, 200, 'aud array containing the audience');
    sse.close();
  });
});

test('403 for a valid token without the tenant claim', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const noTenant = forge(srv, token, { tenant_id: undefined });
    const res = await rawGet(srv, eventsPath(srv, s.id, noTenant));
    assertErrorResponse(res, 403, { secrets: [noTenant, token], what: 'no tenant_id' });
  });
});

test('--tenant-claim names the claim that holds the tenant', async () => {
  await withServer(['--tenant-claim', 'org'], async (srv) => {
    const token = await getToken(srv);
    // Whether the token endpoint follows --tenant-claim is not specified; a token
    // signed here with the tenant in "org" is unambiguous.
    const viaOrg = forge(srv, token, { tenant_id: undefined, org: 'demo' });
    const s = await createSession(srv, viaOrg);
    const sse = openSse(srv, s.id, viaOrg);
    await sse.waitEvents(1);
    assert.equal(sse.head.status, 200);
    sse.close();
    const onlyDefault = forge(srv, token, { org: undefined, tenant_id: 'demo' });
    assertErrorResponse(await rawGet(srv, eventsPath(srv, s.id, onlyDefault)), 403, { what: 'tenant only in tenant_id' });
  });
});

test("404 for an unknown session and for another tenant's session, indistinguishable", async () => {
  await withServer(['--client', `${OTHER_CLIENT.id}:${OTHER_CLIENT.secret}:${OTHER_CLIENT.tenant}`], async (srv) => {
    const demo = await getToken(srv);
    const other = await getToken(srv, OTHER_CLIENT);
    assert.equal(decodeJwt(other).payload.tenant_id, 'tenant2');
    const theirs = await createSession(srv, other);
    const unknown = randomUUID();
    assert.equal(unknown.length, theirs.id.length, 'same-length ids so the answers can be compared byte for byte');
    const a = await rawGet(srv, eventsPath(srv, theirs.id, demo));
    const b = await rawGet(srv, eventsPath(srv, unknown, demo));
    assertErrorResponse(a, 404, { secrets: [demo, other], what: "other tenant's session" });
    assertErrorResponse(b, 404, { secrets: [demo, other], what: 'unknown session' });
    const norm = (r, id) => ({
      status: r.status,
      reason: r.reason,
      headers: r.rawHeaders.filter(([n]) => n !== 'date').map(([n, v]) => [n, v]),
      body: r.body.split(id).join('<id>'),
    });
    assert.deepEqual(norm(a, theirs.id), norm(b, unknown), 'the two 404s must be indistinguishable');
    // The other routes are tenant-scoped too, and a foreign PATCH changes nothing.
    for (const [m, opts] of [['GET', {}], ['PATCH', { json: { status: 'completed' } }]]) {
      const r1 = await request(srv, m, `/session/${theirs.id}`, { token: demo, ...opts });
      const r2 = await request(srv, m, `/session/${unknown}`, { token: demo, ...opts });
      assertErrorResponse({ ...r1, body: r1.text }, 404, { what: `${m} other tenant` });
      assertErrorResponse({ ...r2, body: r2.text }, 404, { what: `${m} unknown` });
      assert.equal(r1.text.split(theirs.id).join('<id>'), r2.text.split(unknown).join('<id>'), `${m}: same body`);
    }
    const still = await request(srv, 'GET', `/session/${theirs.id}`, { token: other });
    assert.equal(still.status, 200);
    assert.deepEqual([still.json.status, still.json.version], ['active', 1], 'untouched by the other tenant');
    const own = openSse(srv, theirs.id, other);
    await own.waitEvents(1);
    assert.equal(own.head.status, 200, 'the owner can subscribe');
    own.close();
  });
});

test('204 for Last-Event-ID of the terminal event; an older Last-Event-ID gets the stream', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    await setStatus(srv, token, s.id, 'fetched');
    await setStatus(srv, token, s.id, 'completed');
    const res = await rawGet(srv, eventsPath(srv, s.id, token), { 'Last-Event-ID': '3' });
    assert.equal(res.status, 204, `Last-Event-ID: 3 on a completed session -> ${res.status} ${res.body}`);
    assert.equal(res.body, '');
    assert.doesNotMatch(res.headers['content-type'] ?? '', /event-stream/);
    // An older id is not the terminal one: the client gets the current status and the end.
    const older = new RawSse(srv, eventsPath(srv, s.id, token), { 'Last-Event-ID': '2' });
    await older.waitEnd(2000);
    assert.equal(older.head.status, 200);
    assertEvents(older.events, s.id, [{ id: '3', status: 'completed' }]);
    // An active session is never answered 204.
    const act = await createSession(srv, token);
    const live = new RawSse(srv, eventsPath(srv, act.id, token), { 'Last-Event-ID': '1' });
    await live.waitEvents(1);
    assert.equal(live.head.status, 200);
    live.close();
  });
});

test('heartbeat: ": keep-alive" comments every --heartbeat seconds', async () => {
  await withServer(['--heartbeat', '1'], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const sse = openSse(srv, s.id, token);
    await sse.waitEvents(1);
    await sse.waitUntil(() => sse.records.filter((r) => r.kind === 'comment').length >= 2, 3500, 'two heartbeats');
    for (const c of sse.records.filter((r) => r.kind === 'comment')) assert.equal(c.line, ': keep-alive');
    assert.ok(!sse.ended, 'heartbeats keep the stream open');
    await setStatus(srv, token, s.id, 'completed');
    await sse.waitEnd(2000);
    assert.deepEqual(sse.statuses, ['active', 'completed']);
  });
});

test('--retry sets the retry field', async () => {
  await withServer(['--retry', '500'], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const sse = openSse(srv, s.id, token);
    await sse.waitEvents(1);
    assertRetryFirst(sse, 500);
    sse.close();
  });
});

test('the Authorization: Bearer header wins over the token query parameter', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const junk = srv.rememberSecret('junk.junk.junkjunkjunkjunkjunkjunk');
    const good = new RawSse(srv, eventsPath(srv, s.id, junk), { Authorization: `Bearer ${token}` });
    await good.waitEvents(1);
    assert.equal(good.head.status, 200, 'good header, bad query');
    good.close();
    const bad = await rawGet(srv, eventsPath(srv, s.id, token), { Authorization: `Bearer ${junk}` });
    assertErrorResponse(bad, 401, { secrets: [token, junk], what: 'bad header, good query' });
  });
});

test('--base-path /api mounts every route under /api and nothing at the root', async () => {
  await withServer(['--base-path', '/api'], async (srv) => {
    const token = await getToken(srv);  // POST /api/oauth2/token
    const s = await createSession(srv, token);  // POST /api/session
    const sse = new RawSse(srv, `/api/session/${s.id}/events?token=${token}`);
    await sse.waitEvents(1);
    assert.equal(sse.head.status, 200);
    const patched = await request(srv, 'PATCH', `/api/session/${s.id}`, { token, json: { status: 'completed' } });
    assert.equal(patched.status, 200);
    await sse.waitEnd(2000);
    assert.deepEqual(sse.statuses, ['active', 'completed']);
    assert.equal((await request(srv, 'GET', `/api/session/${s.id}`, { token })).status, 200);
    assert.equal((await request(srv, 'GET', '/api/healthz')).status, 200);
    const root = await rawGet(srv, `/session/${s.id}/events?token=${token}`);
    assert.equal(root.status, 404, `/session/... without the base path -> ${root.status}`);
    assertNoSecrets(root.body, [token], '404 body');
    assert.equal((await request(srv, 'GET', `/session/${s.id}`, { token })).status, 404);
    const rootToken = await request(srv, 'POST', '/oauth2/token', {
      headers: { authorization: `Basic ${Buffer.from('demo:demo-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(rootToken.status, 404, '/oauth2/token without the base path');
  });
});

test('tokens never appear in error bodies or in the server log; the access log redacts token=', async () => {
  const srv = await withServer(['--client', `${OTHER_CLIENT.id}:${OTHER_CLIENT.secret}:${OTHER_CLIENT.tenant}`], async (srv) => {
    const token = await getToken(srv);
    const other = await getToken(srv, OTHER_CLIENT);
    const s = await createSession(srv, token);
    const theirs = await createSession(srv, other);
    const badSig = forge(srv, token, {}, { secret: 'not-the-server-secret-but-32-bytes-long!' });
    const answers = [
      await rawGet(srv, eventsPath(srv, s.id, badSig)),
      await rawGet(srv, eventsPath(srv, theirs.id, token)),
      await rawGet(srv, eventsPath(srv, 'bad!id', token)),
      await rawGet(srv, eventsPath(srv, randomUUID(), token)),
      await rawGet(srv, `/nope?token=${token}`),
    ];
    for (const a of answers) {
      assert.ok(a.status >= 400, `refused: ${a.status}`);
      assertNoSecrets(a.body, [token, other, badSig], `${a.status} body`);
      for (const [, v] of a.rawHeaders) assertNoSecrets(v, [token, other, badSig], `${a.status} header`);
    }
    const sse = openSse(srv, s.id, token);
    await sse.waitEvents(1);
    await setStatus(srv, token, s.id, 'completed');
    await sse.waitEnd(2000);
    assertNoSecrets(sse.records.map((r) => JSON.stringify(r)).join(''), [token], 'stream');
  });
  // withServer already checked stdout/stderr for every token; the access log must exist
  // and show requests to the events route with the token value redacted.
  assert.match(srv.stderr, /\/events/, 'access log on stderr mentions the events requests');
  assert.match(srv.stderr, /token=/, 'the access log keeps the parameter name, redacting its value');
});

test('PATCH: 409 on a terminal session, 400 on an unknown status or bad JSON, 200 no-op for the same status', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const sse = openSse(srv, s.id, token);
    await sse.waitEvents(1);
    const same = await patchStatus(srv, token, s.id, 'active');
    assert.equal(same.status, 200, `same status -> ${same.status} ${same.text}`);
    assert.equal(same.json.version, 1, 'no-op keeps the version');
    const unknown = await patchStatus(srv, token, s.id, 'finished');
    assertErrorResponse({ ...unknown, body: unknown.text }, 400, { secrets: [token], what: 'unknown status' });
    const badJson = await request(srv, 'PATCH', `/session/${s.id}`, { token, body: '{"status":', headers: { 'content-type': 'application/json' } });
    assertErrorResponse({ ...badJson, body: badJson.text }, 400, { secrets: [token], what: 'bad JSON' });
    await setStatus(srv, token, s.id, 'fetched');
    const sameFetched = await patchStatus(srv, token, s.id, 'fetched');
    assert.equal(sameFetched.status, 200);
    assert.equal(sameFetched.json.version, 2);
    await setStatus(srv, token, s.id, 'completed');
    await sse.waitEnd(2000);
    assertEvents(sse.events, s.id, [
      { id: '1', status: 'active' },
      { id: '2', status: 'fetched' },
      { id: '3', status: 'completed' },
    ]);
    for (const st of ['failed', 'active', 'fetched']) {
      const r = await patchStatus(srv, token, s.id, st);
      assertErrorResponse({ ...r, body: r.text }, 409, { secrets: [token], what: `PATCH ${st} on completed` });
    }
    const again = await patchStatus(srv, token, s.id, 'completed');
    assert.ok([200, 409].includes(again.status), `completed again -> ${again.status}`);
    const final = await request(srv, 'GET', `/session/${s.id}`, { token });
    assert.deepEqual([final.json.status, final.json.version], ['completed', 3]);
  });
});

test('GET /session/{id} returns the session JSON; /healthz answers 200', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const created = await createSession(srv, token);
    const before = Date.now();
    const r = await request(srv, 'GET', `/session/${created.id}`, { token });
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(r.json).sort(), ['createdAt', 'expiresAt', 'id', 'status', 'updatedAt', 'version']);
    assert.deepEqual(Object.keys(created).sort(), Object.keys(r.json).sort(), 'POST /session returns the same shape');
    assert.equal(r.json.id, created.id);
    assert.match(r.json.id, /^[A-Za-z0-9._~-]{1,128}$/);
    assert.equal(r.json.status, 'active');
    assert.equal(r.json.version, 1);
    for (const f of ['createdAt', 'updatedAt', 'expiresAt']) assert.match(r.json[f], ISO_MS_Z, f);
    assert.ok(Math.abs(Date.parse(r.json.createdAt) - before) < 5000, 'createdAt is now (UTC)');
    await setStatus(srv, token, created.id, 'fetched');
    const after = await request(srv, 'GET', `/session/${created.id}`, { token });
    assert.deepEqual([after.json.status, after.json.version], ['fetched', 2]);
    assert.ok(after.json.updatedAt >= r.json.updatedAt);
    assert.equal(after.json.createdAt, r.json.createdAt);
    const health = await request(srv, 'GET', '/healthz');
    assert.equal(health.status, 200);
  });
});

test('/metrics: open streams, events sent, auth failures and sessions by status in Prometheus text', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const m0 = await metrics(srv);
    const open0 = pick(m0, OPEN_STREAMS, 'open streams', {}, 'gauge');
    const sent0 = pick(m0, EVENTS_SENT, 'events sent', {}, 'counter');
    const auth0 = pick(m0, AUTH_FAILURES, 'auth failures', {}, 'counter');
    const a = await createSession(srv, token);
    const b = await createSession(srv, token);
    const c = await createSession(srv, token);
    const sa = openSse(srv, a.id, token);
    const sb = openSse(srv, b.id, token);
    await sa.waitEvents(1);
    await sb.waitEvents(1);
    const m1 = await metrics(srv);
    assert.equal(pick(m1, OPEN_STREAMS, 'open streams', {}, 'gauge'), open0 + 2, 'two streams open');
    for (let i = 0; i < 3; i++) await rawGet(srv, eventsPath(srv, a.id, 'bad'));
    await setStatus(srv, token, a.id, 'completed');
    await setStatus(srv, token, b.id, 'failed');
    await sa.waitEnd(2000);
    await sb.waitEnd(2000);
    await setStatus(srv, token, c.id, 'fetched');
    assert.equal(await waitOpenStreams(srv, open0, 2000), open0, 'streams closed again');
    const m2 = await metrics(srv);
    assert.ok(pick(m2, EVENTS_SENT, 'events sent', {}, 'counter') >= sent0 + 4, 'four events sent');
    assert.ok(pick(m2, AUTH_FAILURES, 'auth failures', {}, 'counter') >= auth0 + 3, 'three auth failures counted');
    const byStatus = (st) => pick(m2, /session/i, `sessions{status="${st}"}`, { status: st }, 'gauge');
    assert.equal(byStatus('completed'), 1);
    assert.equal(byStatus('failed'), 1);
    assert.equal(byStatus('fetched'), 1);
  });
});

test('malformed requests get 400/413/414/431 and the server keeps serving everyone else', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const sse = openSse(srv, s.id, token);
    await sse.waitEvents(1);
    const host = `Host: ${srv.host}:${srv.port}\r\n`;
    const auth = `Authorization: Bearer ${token}\r\n`;
    // A client that sends half a request and stalls must not hold anyone else up.
    const stalled = connect(srv);
    stalled.on('error', () => {});
    stalled.write(`GET /healthz HTTP/1.1\r\n${host}X-Half: `);
    const cases = [
      ['request line over 8 KiB', `GET /healthz?x=${'a'.repeat(9000)} HTTP/1.1\r\n${host}\r\n`, [414]],
      ['headers over 32 KiB', `GET /healthz HTTP/1.1\r\n${host}${Array.from({ length: 40 }, (_, i) => `X-Filler-${i}: ${'b'.repeat(1000)}\r\n`).join('')}\r\n`, [431]],
      ['body over 64 KiB', `PATCH /session/${s.id} HTTP/1.1\r\n${host}${auth}Content-Type: application/json\r\nContent-Length: 70000\r\n\r\n{"status":"fetched","pad":"${'c'.repeat(70000 - 32)}"}`, [413]],
      ['bad percent-encoding in the path', `GET /session/abc%zz/events HTTP/1.1\r\n${host}${auth}\r\n`, [400]],
      ['truncated percent-encoding', `GET /session/abc%4/events HTTP/1.1\r\n${host}${auth}\r\n`, [400]],
      ['forbidden id character !', `GET /session/ab%21cd/events HTTP/1.1\r\n${host}${auth}\r\n`, [400]],
      ['forbidden id character space', `GET /session/ab%20cd/events HTTP/1.1\r\n${host}${auth}\r\n`, [400]],
      ['forbidden id character /', `GET /session/ab%2Fcd/events HTTP/1.1\r\n${host}${auth}\r\n`, [400]],
      ['non-ASCII id', `GET /session/%C3%A9t%C3%A9/events HTTP/1.1\r\n${host}${auth}\r\n`, [400]],
      ['forbidden id on GET /session/{id}', `GET /session/ab%21cd HTTP/1.1\r\n${host}${auth}\r\n`, [400]],
      ['bad JSON in POST /session', `POST /session HTTP/1.1\r\n${host}${auth}Content-Type: application/json\r\nContent-Length: 9\r\n\r\n{"ttlSecs`, [400]],
      ['garbage bytes', Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x47, 0x41, 0x52, 0x42, 0x0d, 0x0a, 0x0d, 0x0a]), [400]],
      ['not HTTP', 'HELLO THERE\r\n\r\n', [400]],
      ['bad HTTP version', `GET /healthz HTTP/9.7\r\n${host}\r\n`, [400, 505]],
      ['header without colon', `GET /healthz HTTP/1.1\r\n${host}NoColonHere\r\n\r\n`, [400]],
    ];
    for (const [what, bytes, statuses] of cases) {
      let res;
      try {
        res = await rawExchange(srv, bytes, { timeoutMs: 3000 });
      } catch (e) {
        assert.fail(`${what}: ${e.message}`);
      }
      assert.ok(statuses.includes(res.status), `${what}: expected ${statuses}, got ${res.status} ${res.body}`);
      assertNoSecrets(res.body, [token], what);
      const health = await rawGet(srv, '/healthz');
      assert.equal(health.status, 200, `after ${what}: /healthz`);
    }
    stalled.destroy();
    // The open stream was not disturbed.
    await setStatus(srv, token, s.id, 'completed');
    await sse.waitEnd(2000);
    assert.deepEqual(sse.statuses, ['active', 'completed']);
  });
});

test('percent-encoded path segments and query tokens are decoded', async () => {
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const i = s.id.search(/[A-Za-z0-9]/);
    const encodedId = s.id.slice(0, i) + '%' + s.id.charCodeAt(i).toString(16).toUpperCase() + s.id.slice(i + 1);
    const encodedToken = token.replace(/\./g, '%2E');
    const sse = new RawSse(srv, `/session/${encodedId}/events?token=${encodedToken}`);
    await sse.waitEvents(1);
    assert.equal(sse.head.status, 200);
    assertEvents(sse.events, s.id, [{ id: '1', status: 'active' }]);
    sse.close();
  });
});

test('ordinary requests use HTTP/1.1 keep-alive', async () => {
  await withServer([], async (srv) => {
    const req = `GET /healthz HTTP/1.1\r\nHost: ${srv.host}:${srv.port}\r\n\r\n`;
    const net = await import('node:net');
    const sock = net.connect(srv.port, srv.host);
    let data = '';
    sock.on('data', (d) => {
      data += d.toString('latin1');
    });
    sock.write(req);
    await sleep(300);
    sock.write(req);
    await sleep(300);
    sock.destroy();
    assert.equal((data.match(/HTTP\/1\.1 200/g) || []).length, 2, `two responses on one connection: ${JSON.stringify(data)}`);
  });
});

test('CORS: allowed origins get Access-Control-Allow-Origin, others do not; preflight needs no token', async () => {
  await withServer(['--cors-origin', 'http://app.example', '--cors-origin', 'http://other.example'], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const sse = new RawSse(srv, eventsPath(srv, s.id, token), { Origin: 'http://other.example' });
    await sse.waitEvents(1);
    assert.equal(sse.head.headers['access-control-allow-origin'], 'http://other.example');
    sse.close();
    const denied = await rawGet(srv, '/healthz', { Origin: 'http://evil.example' });
    assert.equal(denied.headers['access-control-allow-origin'], undefined, 'no ACAO for a foreign origin');
    const pre = await rawExchange(
      srv,
      `OPTIONS /session/${s.id} HTTP/1.1\r\nHost: ${srv.host}:${srv.port}\r\nOrigin: http://app.example\r\n` +
        'Access-Control-Request-Method: PATCH\r\nAccess-Control-Request-Headers: authorization, content-type\r\n\r\n',
    );
    assert.ok(pre.status === 200 || pre.status === 204, `preflight -> ${pre.status} ${pre.body}`);
    assert.equal(pre.headers['access-control-allow-origin'], 'http://app.example');
    assert.match(pre.headers['access-control-allow-methods'] ?? '', /PATCH/i);
    assert.match(pre.headers['access-control-allow-headers'] ?? '', /authorization/i);
  });
  await withServer(['--cors-origin', '*'], async (srv) => {
    const any = await rawGet(srv, '/healthz', { Origin: 'http://whoever.example' });
    assert.ok(['*', 'http://whoever.example'].includes(any.headers['access-control-allow-origin']), `ACAO with *: ${any.headers['access-control-allow-origin']}`);
  });
});

test('the stream ends when the token stops verifying: exp plus the leeway', async () => {
  // One rule for opening and ending (issue 11): a token is accepted until exp plus
  // the leeway (30 s by default, contract section 4) and its stream ends exactly
  // then, so a token inside its leeway never opens a stream that ends at once.
  const leeway = 30;
  await withServer([], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const exp = nowSeconds() - leeway + 3;  // already past exp, 3 s of leeway left
    const short = forge(srv, token, { exp });
    const sse = openSse(srv, s.id, short);
    await sse.waitEvents(1);
    assert.equal(sse.head.status, 200);
    await sse.waitEnd(7000);
    const delta = sse.endedAt - (exp + leeway) * 1000;
    assert.ok(delta >= -200, `ended ${-delta} ms before exp + leeway`);
    assert.ok(delta <= 2500, `ended ${delta} ms after exp + leeway`);
    const late = await rawGet(srv, eventsPath(srv, s.id, short));
    assert.equal(late.status, 401, 'past exp + leeway the token opens nothing');
    assert.deepEqual(sse.statuses, ['active'], 'no event but the first');
    const still = await request(srv, 'GET', `/session/${s.id}`, { token });
    assert.equal(still.json.status, 'active', 'the session itself is untouched');
  });
});

test('SIGTERM ends open streams and the server exits 0', async () => {
  const srv = await startServer([]);
  try {
    const token = await getToken(srv);
    const streams = [];
    for (let i = 0; i < 3; i++) {
      const s = await createSession(srv, token);
      streams.push(openSse(srv, s.id, token));
    }
    await Promise.all(streams.map((x) => x.waitEvents(1)));
    srv.terminate('SIGTERM');
    await Promise.all(streams.map((x) => x.waitEnd(3000)));
  } finally {
    await srv.stop();
  }
  srv.assertNoSecretsInLogs();
});

test('SIGINT ends open streams and the server exits 0', async () => {
  const srv = await startServer([]);
  let exit;
  try {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const sse = openSse(srv, s.id, token);
    await sse.waitEvents(1);
    srv.terminate('SIGINT');
    await sse.waitEnd(3000);
    exit = await Promise.race([srv.exit, sleep(5000).then(() => null)]);
  } finally {
    if (!srv.exited) srv.proc.kill('SIGKILL');
  }
  assert.deepEqual(exit, { code: 0, signal: null }, 'exit after SIGINT');
  srv.assertNoSecretsInLogs();
});

test('--tls-cert/--tls-key serve the whole API and the stream over HTTPS', async () => {
  const cert = makeSelfSignedCert();
  await withServer(['--tls-cert', cert.cert, '--tls-key', cert.key], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const sse = openSse(srv, s.id, token);
    await sse.waitEvents(1);
    assertStreamHeaders(sse.head);
    await setStatus(srv, token, s.id, 'completed');
    await sse.waitEnd(2000);
    assertRetryFirst(sse, 3000);
    assertEvents(sse.events, s.id, [
      { id: '1', status: 'active' },
      { id: '2', status: 'completed' },
    ]);
    // Plain HTTP on the TLS port is not served as HTTP.
    const plain = await rawExchange({ ...srv, tls: false }, `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`, { timeoutMs: 3000 }).catch((e) => ({ status: 0, error: e.message }));
    assert.notEqual(plain.status, 200, 'no cleartext answer on the TLS port');
  }, { ca: cert.pem });
});

test('--jwks verifies RS256, PS256, ES256 and EdDSA tokens by kid; alg confusion, unknown kid and jku are refused', async () => {
  const { keys, jwks } = makeKeySet();
  const dir = mkdtempSync(path.join(tmpdir(), 'eudiplo-sse-e2e-jwks-'));
  const file = path.join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify(jwks));
  await withServer(['--jwks', file], async (srv) => {
    const now = nowSeconds();
    const claims = { iss: 'eudiplo-service', sub: 'e2e', tenant_id: 'demo', roles: [], iat: now, exp: now + 600 };
    const good = {};
    for (const [alg, k] of Object.entries(keys)) {
      good[alg] = srv.rememberSecret(signJws(claims, { alg, typ: 'JWT', kid: k.kid }, k.privateKey));
    }
    const s = await createSession(srv, good.RS256);
    for (const [alg, t] of Object.entries(good)) {
      const sse = openSse(srv, s.id, t);
      await sse.waitEvents(1);
      assert.equal(sse.head.status, 200, `${alg} token`);
      sse.close();
    }
    const rsaPublicPem = keys.RS256.publicKey.export({ type: 'spki', format: 'pem' });
    const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' }));
    const body = b64url(JSON.stringify(claims));
    const other = makeKeySet().keys;
    const bad = {
      // The classic confusion: HMAC keyed with the RSA public key.
      'HS256 keyed with the RSA public key': `${head}.${body}.${createHmac('sha256', rsaPublicPem).update(`${head}.${body}`).digest('base64url')}`,
      'RS256 header on the EC key': signJws(claims, { alg: 'RS256', typ: 'JWT', kid: 'ec-1' }, keys.RS256.privateKey),
      'ES256 token naming the RSA kid': signJws(claims, { alg: 'ES256', typ: 'JWT', kid: 'rsa-1' }, keys.ES256.privateKey),
      'unknown kid': signJws(claims, { alg: 'RS256', typ: 'JWT', kid: 'nope' }, keys.RS256.privateKey),
      'right kid, foreign key': signJws(claims, { alg: 'RS256', typ: 'JWT', kid: 'rsa-1' }, other.RS256.privateKey),
      'jku to a foreign key set': signJws(claims, { alg: 'RS256', typ: 'JWT', kid: 'x-1', jku: `http://127.0.0.1:${srv.port}/jwks.json` }, other.RS256.privateKey),
      'jwk header with a foreign key': signJws(claims, { alg: 'ES256', typ: 'JWT', jwk: other.ES256.publicKey.export({ format: 'jwk' }) }, other.ES256.privateKey),
      'alg none': `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'rsa-1' }))}.${body}.`,
    };
    for (const [what, t] of Object.entries(bad)) {
      srv.rememberSecret(t);
      assertErrorResponse(await rawGet(srv, eventsPath(srv, s.id, t)), 401, { secrets: [t], what });
    }
    // The JWKS replaces the secret: the secret's own HS256 tokens no longer verify.
    const hs = await getToken(srv);
    assertErrorResponse(await rawGet(srv, eventsPath(srv, s.id, hs)), 401, { secrets: [hs], what: 'HS256 with --jwks' });
  });
});

test('--no-demo-client leaves only the --client clients', async () => {
  await withServer(['--no-demo-client', '--client', `${OTHER_CLIENT.id}:${OTHER_CLIENT.secret}:${OTHER_CLIENT.tenant}`], async (srv) => {
    const demo = await request(srv, 'POST', '/oauth2/token', {
      headers: { authorization: `Basic ${Buffer.from('demo:demo-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(demo.status, 401, `demo client refused: ${demo.status}`);
    const other = await getToken(srv, OTHER_CLIENT);
    assert.equal(decodeJwt(other).payload.tenant_id, 'tenant2');
  });
});

test('without --jwt-secret a development secret is used, with a warning', async () => {
  await withServer([], async (srv) => {
    // stdout and stderr are separate pipes: the warning (written first) may reach
    // us after the listening line, so give it a moment.
    for (let i = 0; i < 40 && !/warn/i.test(srv.stderr); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(srv.stdout + srv.stderr, /warn/i, 'a warning about the development secret');
    const token = await getToken(srv);
    assert.ok(!verifyHs256(token, JWT_SECRET), 'not signed with the test secret');
    const s = await createSession(srv, token);
    const sse = openSse(srv, s.id, token);
    await sse.waitEvents(1);
    assert.equal(sse.head.status, 200);
    sse.close();
  }, { withSecret: false });
});
