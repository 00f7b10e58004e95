// A real browser: Debian's Chromium (never a downloaded one) driven by playwright-core,
// a page on another loopback origin subscribing with the native EventSource (CORS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { existsSync } from 'node:fs';
// A missing node_modules must fail this file, never skip it: a static import does that.
import { chromium } from 'playwright-core';
import { withServer } from './lib/server.mjs';
import { createSession, getToken, setStatus, sleep } from './lib/http.mjs';

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

let browser;
let pageServer;
let pageOrigin;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is required (apt-get install chromium)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30000 });
  // The page is served from its own origin; it subscribes to the server cross-origin.
  pageServer = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname !== '/') {
      res.writeHead(404).end();
      return;
    }
    const events = u.searchParams.get('events');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><meta charset="utf-8"><title>sse</title><body><script>
      window.__log = [];
      window.__errors = [];
      window.__opens = 0;
      const es = new EventSource(${JSON.stringify(events)});
      window.__es = es;
      es.onopen = () => { window.__opens++; };
      es.onmessage = (e) => { window.__log.push({ id: e.lastEventId, type: e.type, data: e.data, origin: e.origin }); };
      es.onerror = () => { window.__errors.push({ at: Date.now(), readyState: es.readyState }); };
    </script></body>`);
  });
  await new Promise((r) => pageServer.listen(0, '127.0.0.1', r));
  pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (pageServer ? pageServer.close(r) : r()));
});

test('Chromium sees every status through the native EventSource and stops reconnecting after the terminal event', async (t) => {
  const srv = await withServer(['--retry', '500', '--cors-origin', pageOrigin], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const eventsUrl = srv.url(`/session/${s.id}/events?token=${encodeURIComponent(token)}`);
    assert.notEqual(new URL(eventsUrl).origin, pageOrigin, 'the page is cross-origin to the server');

    const context = await browser.newContext();
    const page = await context.newPage();
    const requests = [];
    page.on('request', (r) => {
      if (!r.url().includes('/events')) return;
      const entry = { at: Date.now(), headers: {}, status: null, failed: null };
      requests.push(entry);
      // allHeaders() includes what the network stack adds, such as Last-Event-ID.
      r.allHeaders().then((h) => (entry.headers = h), () => {});
    });
    page.on('response', (r) => {
      if (!r.url().includes('/events')) return;
      const entry = requests.find((q) => q.status === null && q.failed === null);
      if (entry) entry.status = r.status();
    });
    page.on('requestfailed', (r) => {
      if (!r.url().includes('/events')) return;
      const entry = requests.find((q) => q.status === null && q.failed === null);
      if (entry) entry.failed = r.failure()?.errorText ?? 'failed';
    });
    try {
      await page.goto(`${pageOrigin}/?events=${encodeURIComponent(eventsUrl)}`);
      await page.waitForFunction(() => window.__log.length >= 1, null, { timeout: 5000 });
      await setStatus(srv, token, s.id, 'fetched');
      await page.waitForFunction(() => window.__log.length >= 2, null, { timeout: 5000 });
      await setStatus(srv, token, s.id, 'completed');
      await page.waitForFunction(() => window.__log.length >= 3, null, { timeout: 5000 });
      const terminalAt = Date.now();
      // The page never calls close(): only the 204 may stop the reconnects. With
      // retry 500 ms a browser that ignores the end would come back ~10 times here.
      await sleep(5000);
      const state = await page.evaluate(() => ({ log: window.__log, errors: window.__errors, readyState: window.__es.readyState, opens: window.__opens }));

      assert.deepEqual(
        state.log.map((m) => [m.id, m.type, JSON.parse(m.data).status]),
        [
          ['1', 'message', 'active'],
          ['2', 'message', 'fetched'],
          ['3', 'message', 'completed'],
        ],
        'every status, in order, with the version as the event id',
      );
      for (const m of state.log) {
        assert.equal(JSON.parse(m.data).id, s.id);
        assert.equal(m.origin, srv.origin);
      }
      // Reconnects only: the first request is the stream that carried the events, and on
      // a fast machine it may have started within 50 ms of the terminal event.
      const afterTerminal = requests.slice(1).filter((r) => r.at >= terminalAt - 50);
      t.diagnostic(`requests to /events: ${JSON.stringify(requests.map((r) => ({ status: r.status, failed: r.failed, lastEventId: r.headers['last-event-id'] ?? null })))}; readyState ${state.readyState}`);
      assert.ok(requests.length <= 2, `at most one reconnect after the terminal event; requests to /events: ${JSON.stringify(requests.map((r) => ({ status: r.status, failed: r.failed, lastEventId: r.headers['last-event-id'] })))}`);
      assert.equal(requests[0].status, 200, 'the stream was answered 200');
      if (requests.length === 2) {
        assert.equal(requests[1].status, 204, `the reconnect is answered 204 (got ${requests[1].status}, ${requests[1].failed})`);
        assert.equal(requests[1].headers['last-event-id'], '3', 'the reconnect carries Last-Event-ID 3');
      }
      assert.ok(afterTerminal.length <= 1, 'no reconnect storm');
      assert.equal(state.readyState, 2, 'EventSource.readyState is CLOSED');
      assert.equal(state.opens, 1, 'opened once');
    } finally {
      await context.close();
    }
  });
  // Cross-check on the server side when the access log names the route.
  const logged = srv.stderr.split('\n').filter((l) => l.includes('/events')).length;
  if (logged > 0) assert.ok(logged <= 2, `access log shows ${logged} requests to /events`);
});

test('Chromium: a stream refused for a bad token fires onerror and closes without a message', async () => {
  await withServer(['--retry', '500', '--cors-origin', pageOrigin], async (srv) => {
    const token = await getToken(srv);
    const s = await createSession(srv, token);
    const bad = srv.rememberSecret('bad.token.value-that-is-long-enough-to-grep');
    const eventsUrl = srv.url(`/session/${s.id}/events?token=${encodeURIComponent(bad)}`);
    const context = await browser.newContext();
    const page = await context.newPage();
    let count = 0;
    page.on('request', (r) => {
      if (r.url().includes('/events')) count++;
    });
    try {
      await page.goto(`${pageOrigin}/?events=${encodeURIComponent(eventsUrl)}`);
      await page.waitForFunction(() => window.__es.readyState === 2, null, { timeout: 5000 });
      await sleep(1500);
      const state = await page.evaluate(() => ({ log: window.__log, errors: window.__errors.length, readyState: window.__es.readyState }));
      assert.deepEqual(state.log, []);
      assert.ok(state.errors >= 1);
      assert.equal(state.readyState, 2);
      assert.equal(count, 1, 'no retries after a 401');
    } finally {
      await context.close();
    }
  });
});
