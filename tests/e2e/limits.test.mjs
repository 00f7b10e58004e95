// Issue 11, time limits of the example server: each bites at its flag's value and
// is counted in /metrics. Raw sockets, the real binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { withServer } from './lib/server.mjs';
import { request, sleep } from './lib/http.mjs';
import { makeSelfSignedCert } from './lib/tls_cert.mjs';
import { metrics } from './lib/metrics.mjs';

// A counter's value from /metrics, by its exact name.
async function counter(srv, name) {
  const { samples } = await metrics(srv);
  const s = samples.find((x) => x.name === name);
  assert.ok(s, `/metrics has ${name}`);
  return s.value;
}

// Collects what a socket receives and when it closes.
function watch(socket) {
  const state = { data: '', closedAt: 0 };
  socket.on('data', (d) => {
    state.data += d.toString('latin1');
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    state.closedAt = Date.now();
  });
  return state;
}

async function waitFor(pred, ms) {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await sleep(25);
  return pred();
}

test('--header-timeout: a request that never finishes gets 408 and the connection ends', async () => {
  await withServer(['--header-timeout', '1'], async (srv) => {
    const socket = net.connect(srv.port, srv.host);
    const seen = watch(socket);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');  // slowloris: never ends
    const started = Date.now();
    assert.ok(await waitFor(() => seen.closedAt > 0, 5000), 'closed within 5 s');
    assert.match(seen.data, /^HTTP\/1\.1 408 /);
    assert.ok(seen.closedAt - started >= 900, `not before the timeout (${seen.closedAt - started} ms)`);
    assert.equal(await counter(srv, 'eudiplo_sse_http_request_timeouts_total'), 1);
  });
});

test('--idle-timeout: an idle keep-alive connection is closed and counted', async () => {
  await withServer(['--idle-timeout', '1'], async (srv) => {
    const idle = net.connect(srv.port, srv.host);
    const seen = watch(idle);
    idle.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(await waitFor(() => /\r\n\r\n/.test(seen.data), 3000), 'answered');
    assert.match(seen.data, /^HTTP\/1\.1 200 /);
    assert.ok(await waitFor(() => seen.closedAt > 0, 5000), 'idle connection closed within 5 s');
    assert.equal(await counter(srv, 'eudiplo_sse_http_idle_timeouts_total'), 1);
  });
});

test('--tls-shutdown-timeout: a TLS client that never sends close_notify is let go', async () => {
  const cert = makeSelfSignedCert();
  const flags = ['--tls-cert', cert.cert, '--tls-key', cert.key, '--tls-shutdown-timeout', '1'];
  await withServer(flags, async (srv) => {
    // allowHalfOpen: Node then answers the server's close_notify with nothing,
    // like a client that reads its response and goes silent.
    const socket = tls.connect({ host: srv.host, port: srv.port, ca: cert.pem, allowHalfOpen: true });
    const seen = watch(socket);
    await new Promise((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.ok(await waitFor(() => /\r\n\r\n/.test(seen.data), 3000), 'answered');
    assert.match(seen.data, /^HTTP\/1\.1 200 /);
    // The server let go of the connection (the gauge counts the /metrics request's
    // own connection too) and says why; the silent client's socket stays open.
    let gauge = -1;
    let gaveUp = 0;
    const end = Date.now() + 8000;
    while (Date.now() < end) {
      const { samples } = await metrics(srv);
      gauge = samples.find((x) => x.name === 'eudiplo_sse_http_connections').value;
      gaveUp = samples.find((x) => x.name === 'eudiplo_sse_tls_shutdown_timeouts_total').value;
      if (gaveUp === 1 && gauge <= 1) break;
      await sleep(200);
    }
    assert.equal(gaveUp, 1, 'one TLS close gave up waiting for close_notify');
    assert.ok(gauge <= 1, `the silent client's connection is released (${gauge} open)`);
    socket.destroy();
    const health = await request(srv, 'GET', '/healthz');
    assert.equal(health.status, 200);
  }, { ca: cert.pem });
});
