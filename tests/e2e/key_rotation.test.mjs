// Key rotation (issue 15) against the real eudiplo_sse_server and a local HTTPS
// identity provider (lib/jwks_server.mjs, a throwaway CA passed with --jwks-ca):
// rotation without restart, removed keys refused (cached tokens included) and their
// streams ended, failing fetches keeping the last good set, forged kids not turning
// into a flood of fetches, OpenID Connect discovery with its issuer check, and the
// --jwks file reloaded on change and on SIGHUP.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, withServer } from './lib/server.mjs';
import { createSession, eventsPath, openSse, rawGet, request, setStatus, sleep } from './lib/http.mjs';
import { nowSeconds } from './lib/jwt.mjs';
import { jwksOf, makeKey, makeTestCa, startJwksServer, tokenFor } from './lib/jwks_server.mjs';
import { metrics, pick } from './lib/metrics.mjs';
import { assertErrorResponse } from './lib/contract_checks.mjs';

const ca = makeTestCa();
const idp = await startJwksServer(ca);
after(() => idp.close());

function claims(iss = 'eudiplo-service') {
  const now = nowSeconds();
  return { iss, sub: 'e2e', tenant_id: 'demo', roles: [], iat: now, exp: now + 600 };
}

async function waitFor(pred, timeoutMs, what) {
  const start = Date.now();
  for (;;) {
    if (await pred()) return;
    if (Date.now() - start > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

// The status of GET /session/{id}/events: 200 (then closed at once) or a refusal.
async function eventsStatus(srv, id, token) {
  const sse = openSse(srv, id, token);
  await sse.waitHead(5000);
  const status = sse.head?.status ?? 0;
  sse.close();
  return status;
}

function urlFlags(extra = []) {
  return ['--jwks-url', `${idp.origin}/jwks`, '--jwks-ca', ca.caFile, ...extra];
}

test('--jwks-url: a rotation without restart keeps the streams of kept keys and ends those of removed ones', async () => {
  const a = makeKey('rot-a');
  const b = makeKey('rot-b');
  const c = makeKey('rot-c');
  idp.state.mode = 'ok';
  idp.state.cacheControl = 'max-age=1';
  idp.state.jwks = jwksOf(a, b);
  await withServer(urlFlags(['--jwks-refresh', '1', '--jwks-min-refresh', '1']), async (srv) => {
    const tA = srv.rememberSecret(tokenFor(a, claims()));
    const tB = srv.rememberSecret(tokenFor(b, claims()));
    const tC = srv.rememberSecret(tokenFor(c, claims()));
    const s = await createSession(srv, tA);
    const sseA = openSse(srv, s.id, tA);
    const sseB = openSse(srv, s.id, tB);
    await sseA.waitEvents(1, 5000);
    await sseB.waitEvents(1, 5000);
    assert.equal(sseB.head.status, 200);
    // tB is now in the verified-token cache; so is tA.
    assert.equal((await request(srv, 'GET', srv.p(`/session/${s.id}`), { token: tB })).status, 200);
    assertErrorResponse(await rawGet(srv, eventsPath(srv, s.id, tC)), 401, { secrets: [tC], what: 'key c before rotation' });

    // Rotation: a stays, b leaves, c arrives.
    const since = Date.now();
    idp.state.jwks = jwksOf(a, c);
    await waitFor(() => idp.jwksFetches(since) >= 1, 10000, 'a JWKS fetch after the rotation');
    await sseB.waitEnd(10000);
    assert.equal(sseB.endedHow === null, false);
    assert.equal(sseA.ended, false, 'the stream of the kept key is still open');
    await waitFor(async () => (await eventsStatus(srv, s.id, tC)) === 200, 5000, 'a stream with the new key');
    // The removed key's token is refused, although it was verified and cached before.
    assertErrorResponse(await rawGet(srv, eventsPath(srv, s.id, tB)), 401, { secrets: [tB], what: 'removed key b' });
    assert.equal((await request(srv, 'GET', srv.p(`/session/${s.id}`), { token: tB })).status, 401);
    // The kept stream still gets updates, then its terminal event.
    await setStatus(srv, tA, s.id, 'completed');
    await sseA.waitEnd(5000);
    assert.deepEqual(sseA.statuses, ['active', 'completed']);

    const m = await metrics(srv);
    assert.ok(pick(m, /^eudiplo_sse_jwks_refreshes_total$/, 'JWKS refreshes') >= 2);
    assert.equal(pick(m, /^eudiplo_sse_jwks_refresh_failures_total$/, 'JWKS failures'), 0);
    assert.ok(pick(m, /^eudiplo_sse_jwks_age_seconds$/, 'key set age') <= 5);
  });
});

test('--jwks-url: failing, garbage and dropped fetches keep the last good set and are logged', async () => {
  const a = makeKey('fail-a');
  idp.state.mode = 'ok';
  idp.state.cacheControl = 'no-cache';
  idp.state.jwks = jwksOf(a);
  await withServer(urlFlags(['--jwks-refresh', '1', '--jwks-min-refresh', '1']), async (srv) => {
    const tA = srv.rememberSecret(tokenFor(a, claims()));
    const s = await createSession(srv, tA);
    let failures = 0;
    for (const [mode, logged] of [['error', /HTTP status 500/], ['garbage', /not a usable JWKS/], ['reset', /fetch failed/]]) {
      idp.state.mode = mode;
      await waitFor(async () => pick(await metrics(srv), /^eudiplo_sse_jwks_refresh_failures_total$/, 'failures') > failures,
        10000, `a failed fetch (${mode})`);
      failures = pick(await metrics(srv), /^eudiplo_sse_jwks_refresh_failures_total$/, 'failures');
      assert.match(srv.stderr, logged, `${mode} is logged`);
      assert.match(srv.stderr, /keeping the last good key set \(1 keys/);
      assert.equal(await eventsStatus(srv, s.id, tA), 200, `the last good key still verifies (${mode})`);
    }
    idp.state.mode = 'ok';
    const before = pick(await metrics(srv), /^eudiplo_sse_jwks_refreshes_total$/, 'refreshes');
    await waitFor(async () => pick(await metrics(srv), /^eudiplo_sse_jwks_refreshes_total$/, 'refreshes') > before, 10000, 'recovery');
  });
});

test('--jwks-url: 1000 tokens with random unknown kids cause at most one fetch per interval', async () => {
  const a = makeKey('flood-a');
  const d = makeKey('flood-d');
  idp.state.mode = 'ok';
  idp.state.cacheControl = 'max-age=300';
  idp.state.jwks = jwksOf(a);
  // Well above the server's one-second tick, so the limit under test is this one.
  const minRefresh = 5;
  await withServer(urlFlags(['--jwks-refresh', '300', '--jwks-min-refresh', String(minRefresh)]), async (srv) => {
    const tA = srv.rememberSecret(tokenFor(a, claims()));
    const s = await createSession(srv, tA);
    await sleep(minRefresh * 1000 + 200);  // an early fetch is allowed from now on
    const start = Date.now();
    let refused = 0;
    // Ten waves of 100 spread over about four seconds, so that several of the
    // server's one-second ticks see fresh unknown kids.
    for (let wave = 0; wave < 10; wave++) {
      const queue = Array.from({ length: 100 }, (_, i) => i);
      await Promise.all(Array.from({ length: 20 }, async () => {
        while (queue.length) {
          queue.pop();
          const forged = srv.rememberSecret(tokenFor(a, claims(), `forged-${randomUUID()}`));
          const r = await request(srv, 'GET', eventsPath(srv, s.id, forged));
          if (r.status === 401) refused++;
        }
      }));
      await sleep(400);
    }
    await sleep(1500);  // let a tick act on the last of them
    const elapsed = Date.now() - start;
    assert.equal(refused, 1000);
    const fetches = idp.jwksFetches(start);
    const allowed = Math.floor(elapsed / (minRefresh * 1000)) + 1;
    assert.ok(fetches >= 1, 'unknown kids trigger an early refresh');
    assert.ok(fetches <= allowed, `${fetches} fetches in ${elapsed} ms; at most ${allowed} allowed`);

    // A key the provider publishes between scheduled fetches is picked up early.
    idp.state.jwks = jwksOf(a, d);
    const tD = srv.rememberSecret(tokenFor(d, claims()));
    await waitFor(async () => (await eventsStatus(srv, s.id, tD)) === 200, 10000, 'the newly published key');
  });
});

test('--oidc-issuer: discovery finds jwks_uri, tokens need iss = issuer, a foreign issuer is refused', async () => {
  const a = makeKey('oidc-a');
  idp.state.mode = 'ok';
  idp.state.cacheControl = 'max-age=300';
  idp.state.jwks = jwksOf(a);
  idp.state.discoveryIssuer = null;
  const issuer = `${idp.origin}/idp`;
  await withServer(['--oidc-issuer', issuer, '--jwks-ca', ca.caFile], async (srv) => {
    const good = srv.rememberSecret(tokenFor(a, claims(issuer)));
    const wrongIss = srv.rememberSecret(tokenFor(a, claims('eudiplo-service')));
    const s = await createSession(srv, good);
    assert.equal(await eventsStatus(srv, s.id, good), 200);
    assertErrorResponse(await rawGet(srv, eventsPath(srv, s.id, wrongIss)), 401, { secrets: [wrongIss], what: 'iss not the issuer' });
    assert.match(srv.stderr, new RegExp(`jwks_uri ${idp.origin}/jwks`));
  });

  // The configuration claims another issuer: refused at start-up.
  idp.state.discoveryIssuer = 'https://evil.example/idp';
  try {
    const exit = await startAndExpectExit(['--oidc-issuer', issuer, '--jwks-ca', ca.caFile]);
    assert.equal(exit.code, 2);
    assert.match(exit.stderr, /issuer does not equal/);
  } finally {
    idp.state.discoveryIssuer = null;
  }
});

test('--jwks-url: the certificate is checked (CA and host name)', async () => {
  const a = makeKey('tls-a');
  idp.state.mode = 'ok';
  idp.state.jwks = jwksOf(a);
  // Without --jwks-ca the throwaway CA is not trusted.
  let exit = await startAndExpectExit(['--jwks-url', `${idp.origin}/jwks`]);
  assert.equal(exit.code, 1);
  assert.match(exit.stderr, /certificate verify failed/i);
  // Trusted CA, but the certificate names 127.0.0.1, not localhost.
  const port = new URL(idp.origin).port;
  exit = await startAndExpectExit(['--jwks-url', `https://localhost:${port}/jwks`, '--jwks-ca', ca.caFile]);
  assert.equal(exit.code, 1);
  assert.match(exit.stderr, /certificate verify failed/i);
  // Plain http is refused outright.
  exit = await startAndExpectExit(['--jwks-url', `http://127.0.0.1:${port}/jwks`]);
  assert.equal(exit.code, 2);
});

test('--jwks FILE is reloaded when it changes and on SIGHUP', async () => {
  const a = makeKey('file-a');
  const b = makeKey('file-b');
  const c = makeKey('file-c');
  const dir = mkdtempSync(path.join(tmpdir(), 'eudiplo-sse-e2e-jwks-'));
  const file = path.join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify(jwksOf(a)));
  await withServer(['--jwks', file], async (srv) => {
    const tA = srv.rememberSecret(tokenFor(a, claims()));
    const tB = srv.rememberSecret(tokenFor(b, claims()));
    const tC = srv.rememberSecret(tokenFor(c, claims()));
    const s = await createSession(srv, tA);
    const sseA = openSse(srv, s.id, tA);
    await sseA.waitEvents(1, 5000);

    // Changed on disk: picked up by the next tick, and a's stream ends.
    writeFileSync(file, JSON.stringify(jwksOf(b)));
    await waitFor(async () => (await eventsStatus(srv, s.id, tB)) === 200, 5000, 'key b from the rewritten file');
    await sseA.waitEnd(5000);
    assertErrorResponse(await rawGet(srv, eventsPath(srv, s.id, tA)), 401, { secrets: [tA], what: 'key a after reload' });

    // Same size, same inode, same modification time: only SIGHUP can notice.
    const whole = 1700000000;
    utimesSync(file, whole, whole);
    await sleep(1500);  // the tick sees the new mtime once and re-reads the same content
    const before = statSync(file);
    writeFileSync(file, JSON.stringify(jwksOf(c)).replace('file-c', 'file-b'));
    utimesSync(file, whole, whole);
    const afterWrite = statSync(file);
    assert.equal(afterWrite.size, before.size);
    assert.equal(afterWrite.ino, before.ino);
    assert.equal(afterWrite.mtimeMs, before.mtimeMs);
    await sleep(2500);
    const tCasB = srv.rememberSecret(tokenFor(c, claims(), 'file-b'));
    assertErrorResponse(await rawGet(srv, eventsPath(srv, s.id, tCasB)), 401, { secrets: [tCasB], what: 'before SIGHUP' });
    srv.proc.kill('SIGHUP');
    await waitFor(async () => (await eventsStatus(srv, s.id, tCasB)) === 200, 5000, 'the key after SIGHUP');
    assert.match(srv.stderr, /SIGHUP: reloading the key set/);
    assertErrorResponse(await rawGet(srv, eventsPath(srv, s.id, tB)), 401, { secrets: [tB], what: 'old b after SIGHUP' });
    void tC;
  });
});

// Starts the server with flags that must keep it from starting; its exit code and stderr.
async function startAndExpectExit(flags) {
  try {
    const srv = await startServer(flags, { readyTimeoutMs: 20000 });
    await srv.stop();
    assert.fail(`server started with ${flags.join(' ')}`);
  } catch (e) {
    const m = /code (\d+), signal [^)]*\); stderr=([\s\S]*)$/.exec(e.message);
    if (!m) throw e;
    return { code: Number(m[1]), stderr: m[2] };
  }
}
