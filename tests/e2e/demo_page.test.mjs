// The demo page at GET / (issue 13), driven in Debian's Chromium through playwright-core
// exactly as a developer would use it: sign in, create a session, watch it, play the wallet.
// Its client logic is examples/web/session-status.js, so this also tests that module.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
// Missing node_modules must fail this file, never skip it: static imports do that.
import { chromium } from 'playwright-core';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { withServer } from './lib/server.mjs';
import { createSession, getToken, request, setStatus } from './lib/http.mjs';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
// ctest sets it to a directory under the build tree; run by hand, the OS temp dir.
const ARTIFACTS = process.env.EUDIPLO_SSE_ARTIFACTS ?? path.join(process.env.TMPDIR ?? '/tmp', 'eudiplo_sse_e2e');

let browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is required (apt-get install chromium)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30000 });
});

after(async () => {
  await browser?.close();
});

// A page on the server, with every request, CSP violation and console error recorded.
async function openDemo(srv, { withoutEventSource = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const seen = { requests: [], violations: [], errors: [], foreign: [] };
  page.on('request', (r) => {
    seen.requests.push(r.url());
    if (new URL(r.url()).origin !== srv.origin) seen.foreign.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  await page.addInitScript((remove) => {
    // Playwright injects this through the DevTools protocol, so the page's CSP does not apply.
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    if (remove) delete window.EventSource;
  }, withoutEventSource);
  const response = await page.goto(srv.url('/'));
  assert.equal(response.status(), 200);
  return { context, page, seen, response };
}

async function signInAndCreate(page, ttl) {
  await page.click('#signin-button');
  await page.waitForSelector('#create-button:not([disabled])', { timeout: 5000 });
  if (ttl !== undefined) await page.fill('#ttl', String(ttl));
  await page.click('#create-button');
  await page.waitForFunction(() => /^[A-Za-z0-9._~-]+$/.test(document.getElementById('session-id').textContent), null, { timeout: 5000 });
  return page.textContent('#session-id');
}

const shown = (page) => page.$$eval('#statuses li', (lis) => lis.map((li) => [li.dataset.status, Number(li.dataset.version), li.textContent]));

async function waitForStatus(page, status, timeout = 5000) {
  await page.waitForFunction((s) => document.getElementById('current-status').dataset.status === s, status, { timeout });
}

async function waitForConnection(page, state, timeout = 5000) {
  await page.waitForFunction((s) => document.getElementById('connection').dataset.state === s, state, { timeout });
}

// `expected`: HTTP statuses the scenario answers on purpose (Chromium logs each
// non-2xx response of fetch() as a console error).
async function assertClean(page, seen, expected = []) {
  const violations = await page.evaluate(() => window.__violations);
  assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
  assert.deepEqual(seen.foreign, [], 'no request to any other origin');
  const unexpected = seen.errors.filter((e) => !expected.some((status) => e.includes(`status of ${status} `)));
  assert.deepEqual(unexpected, [], 'no error in the console');
}

test('the page shows the whole lifecycle live, with times and connection states, under a strict CSP', async () => {
  await withServer([], async (srv) => {
    const { context, page, seen, response } = await openDemo(srv);
    try {
      const csp = response.headers()['content-security-policy'];
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /default-src 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/);
      assert.equal(await page.inputValue('#client-id'), 'demo');
      assert.equal(await page.inputValue('#client-secret'), 'demo-secret');

      const id = await signInAndCreate(page);
      await waitForStatus(page, 'active');
      await waitForConnection(page, 'open');
      assert.equal(await page.textContent('#token-kind'), 'session-scoped (sid)');
      await page.click('#wallet-fetched');
      await waitForStatus(page, 'fetched');
      await page.click('#wallet-completed');
      await waitForStatus(page, 'completed');
      await waitForConnection(page, 'closed');

      const list = await shown(page);
      assert.deepEqual(list.map(([s, v]) => [s, v]), [['active', 1], ['fetched', 2], ['completed', 3]]);
      for (const [, , text] of list) assert.match(text, /^\d\d:\d\d:\d\d\.\d{3} /, 'each change shows its time');
      // The stream used the session-scoped token, never the access token, in its URL.
      const streams = seen.requests.filter((u) => u.includes('/events?'));
      assert.equal(streams.length, 1, `one stream: ${streams.length}`);
      const token = new URL(streams[0]).searchParams.get('token');
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      assert.equal(claims.sid, id);
      await assertClean(page, seen);

      mkdirSync(ARTIFACTS, { recursive: true });
      const file = path.join(ARTIFACTS, 'demo-page-completed.png');
      writeFileSync(file, await page.screenshot({ fullPage: true }));
      console.log(`screenshot: ${file}`);
    } finally {
      await context.close();
    }
  });
});

test('the QR code on the page decodes to the demo wallet URL of that session', async () => {
  await withServer([], async (srv) => {
    const { context, page, seen } = await openDemo(srv);
    try {
      const id = await signInAndCreate(page);
      await page.waitForSelector('#qr svg', { timeout: 5000 });
      const png = PNG.sync.read(await page.locator('#qr').screenshot());
      const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
      assert.ok(code, 'jsQR finds a QR code in the screenshot');
      assert.equal(code.data, `eudiplo-demo-wallet://session/${id}`);
      assert.equal(await page.textContent('#wallet-url'), code.data, 'the URL is also shown as text');
      await assertClean(page, seen);

      // The route behind it is tenant-scoped like the other session routes.
      const mine = await getToken(srv);
      const s = await createSession(srv, mine);
      const ok = await request(srv, 'GET', srv.p(`/session/${s.id}/qr.svg`), { token: mine });
      assert.equal(ok.status, 200);
      assert.match(ok.headers['content-type'], /^image\/svg\+xml/);
      assert.equal((await request(srv, 'GET', srv.p(`/session/${s.id}/qr.svg`))).status, 401);
    } finally {
      await context.close();
    }
  });
  await withServer(['--client', 'other:other-secret:tenant2'], async (srv) => {
    const mine = await getToken(srv);
    const theirs = await getToken(srv, { id: 'other', secret: 'other-secret' });
    const s = await createSession(srv, mine);
    const res = await request(srv, 'GET', srv.p(`/session/${s.id}/qr.svg`), { token: theirs });
    assert.equal(res.status, 404, "another tenant's session is a 404");
  });
});

test('with a short TTL, expired arrives by itself and the stream closes', async () => {
  await withServer([], async (srv) => {
    const { context, page, seen } = await openDemo(srv);
    try {
      await signInAndCreate(page, 2);
      await waitForStatus(page, 'active');
      await waitForStatus(page, 'expired', 8000);
      await waitForConnection(page, 'closed');
      assert.deepEqual((await shown(page)).map(([s]) => s), ['active', 'expired']);
      // The stream token lives at most the session's remaining TTL: a renewal right at
      // the expiry gets 409 from events-token and the stream falls back to the access token.
      await assertClean(page, seen, [409]);
    } finally {
      await context.close();
    }
  });
});

test('without EventSource the page polls GET /session/{id} and still sees every status', async () => {
  await withServer([], async (srv) => {
    const { context, page, seen } = await openDemo(srv, { withoutEventSource: true });
    try {
      assert.equal(await page.evaluate(() => typeof window.EventSource), 'undefined');
      const id = await signInAndCreate(page);
      await waitForConnection(page, 'polling');
      await waitForStatus(page, 'active');
      const token = await getToken(srv);
      await setStatus(srv, token, id, 'fetched');
      await waitForStatus(page, 'fetched');
      await setStatus(srv, token, id, 'failed');
      await waitForStatus(page, 'failed');
      await waitForConnection(page, 'closed');
      assert.deepEqual((await shown(page)).map(([s, v]) => [s, v]), [['active', 1], ['fetched', 2], ['failed', 3]]);
      assert.equal(await page.textContent('#transport'), 'polling');
      assert.equal(seen.requests.filter((u) => u.includes('/events')).length, 0, 'no stream was opened');
      const polls = seen.requests.filter((u) => new URL(u).pathname === `/session/${id}`).length;
      assert.ok(polls >= 3, `polled GET /session/{id} (${polls} times)`);
      await assertClean(page, seen);
    } finally {
      await context.close();
    }
  });
});

test('a stream that keeps failing gives way to polling', async () => {
  await withServer([], async (srv) => {
    const { context, page, seen } = await openDemo(srv);
    try {
      // Something between the browser and the server (a proxy that buffers or blocks
      // text/event-stream) answers every stream request with 502.
      let refused = 0;
      await page.route('**/events?**', (route) => {
        refused += 1;
        return route.fulfill({ status: 502, contentType: 'text/plain', body: 'bad gateway' });
      });
      const id = await signInAndCreate(page);
      await waitForConnection(page, 'polling', 15000);
      assert.equal(refused, 3, 'three stream attempts before polling');
      await waitForStatus(page, 'active');
      await setStatus(srv, await getToken(srv), id, 'completed');
      await waitForStatus(page, 'completed');
      await waitForConnection(page, 'closed');
      assert.deepEqual((await shown(page)).map(([s, v]) => [s, v]), [['active', 1], ['completed', 2]]);
      await assertClean(page, seen, [502]);
    } finally {
      await context.close();
    }
  });
});

test('a stream ended by token expiry resumes with a fresh token and loses no status', async () => {
  // No clock-skew leeway: streams end at the token's exp (3 s), not 30 s later.
  await withServer(['--token-ttl', '3', '--token-leeway', '0'], async (srv) => {
    const { context, page, seen } = await openDemo(srv);
    try {
      const id = await signInAndCreate(page);
      await waitForStatus(page, 'active');
      await waitForConnection(page, 'open');
      // Tokens live 3 s, so the server ends each stream after about 3 s. The first
      // resume sees no change: its first event repeats `active`, which must not show
      // twice. The second token request is held until a status change has landed:
      // that change happens while no stream is open, so only the resumed stream can
      // deliver it.
      let held = 0;
      await page.route('**/oauth2/token', async (route) => {
        held += 1;
        if (held === 2) await setStatus(srv, await getToken(srv), id, 'fetched');
        await route.continue();
      });
      await waitForStatus(page, 'fetched', 15000);
      assert.ok(held >= 2, 'the page asked for fresh tokens');
      await waitForConnection(page, 'open');
      await setStatus(srv, await getToken(srv), id, 'completed');
      await waitForStatus(page, 'completed');
      await waitForConnection(page, 'closed');
      assert.deepEqual((await shown(page)).map(([s, v]) => [s, v]), [['active', 1], ['fetched', 2], ['completed', 3]], 'every status once, in order');
      const streams = seen.requests.filter((u) => u.includes('/events?'));
      assert.ok(streams.length >= 3, `the stream was resumed twice (${streams.length} streams)`);
      const tokens = new Set(streams.map((u) => new URL(u).searchParams.get('token')));
      assert.equal(tokens.size, streams.length, 'every resumed stream carries a fresh token');
      await assertClean(page, seen);
    } finally {
      await context.close();
    }
  });
});

test('the page works under --base-path', async () => {
  await withServer(['--base-path', '/api/v1'], async (srv) => {
    assert.equal((await request(srv, 'GET', '/')).status, 404, 'nothing outside the base path');
    const { context, page, seen } = await openDemo(srv);
    try {
      assert.ok(page.url().endsWith('/api/v1/'));
      const id = await signInAndCreate(page);
      await waitForStatus(page, 'active');
      await page.waitForSelector('#qr svg', { timeout: 5000 });
      await page.click('#wallet-completed');
      await waitForStatus(page, 'completed');
      await waitForConnection(page, 'closed');
      for (const u of seen.requests) assert.ok(new URL(u).pathname.startsWith('/api/v1/'), `under the base path: ${u}`);
      assert.ok(seen.requests.some((u) => u.includes(`/api/v1/session/${id}/events?`)));
      await assertClean(page, seen);
    } finally {
      await context.close();
    }
    const bare = await request(srv, 'GET', '/api/v1');
    assert.equal(bare.status, 200, 'the base path without a trailing slash serves the page too');
  });
});
