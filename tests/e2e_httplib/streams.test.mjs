// The cpp-httplib host (examples/httplib_host) beyond the shared lifecycle test
// (tests/e2e_beast/lifecycle.test.mjs, which ctest also runs against it): a client
// that leaves is noticed through DataSink::is_writable() long before the next
// heartbeat, and 200 simultaneous streams all follow a session to `completed`.
// Real sockets, Node's test runner, no npm packages.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import net from 'node:net';
import { after, before, test } from 'node:test';

const binary = process.env.EUDIPLO_SSE_HTTPLIB_HOST;
const secret = 'an e2e secret of at least thirty-two bytes';
const issuer = 'eudiplo-service';
let server;
let port;

function sign(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ iss: issuer, sub: 'e2e', iat: now, exp: now + 300, ...claims });
  const mac = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${mac}`;
}
const token = sign({ tenant_id: 'acme' });

async function request(method, path, body) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const openStreams = async () => (await request('GET', '/healthz')).json.openStreams;

async function until(what, predicate, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// GET the events of `id` on a raw socket; `raw` collects everything received.
function openStream(id) {
  const s = { raw: '', ended: false };
  s.socket = net.connect(port, '127.0.0.1', () => {
    s.socket.write(`GET /session/${id}/events?token=${token} HTTP/1.1\r\nHost: h\r\n\r\n`);
  });
  s.socket.on('data', (d) => (s.raw += d.toString()));
  s.socket.on('end', () => (s.ended = true));
  s.socket.on('error', () => (s.ended = true));
  return s;
}

before(async () => {
  assert.ok(binary, 'set EUDIPLO_SSE_HTTPLIB_HOST to the eudiplo_sse_httplib_host binary');
  // A heartbeat far longer than the test: a release it sees cannot come from one.
  server = spawn(binary, ['--listen', '127.0.0.1:0', '--jwt-secret', secret, '--issuer', issuer,
    '--heartbeat', '600', '--threads', '264'], { stdio: ['ignore', 'pipe', 'inherit'] });
  port = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    server.on('exit', () => reject(new Error(`server exited early: ${out}`)));
  });
});

after(() => server?.kill('SIGKILL'));

test('a client that leaves is released without waiting for a heartbeat', async () => {
  const { json } = await request('POST', '/session');
  const stream = openStream(json.id);
  await until('the first event', () => stream.raw.includes('"status":"active"'));
  assert.equal(await openStreams(), 1);
  stream.socket.destroy();
  await until('the release of the stream', async () => (await openStreams()) === 0, 3000);
});

test('200 simultaneous streams follow one session to completed', async () => {
  const { json } = await request('POST', '/session');
  const streams = Array.from({ length: 200 }, () => openStream(json.id));
  await until('200 first events', () => streams.every((s) => s.raw.includes('"status":"active"')));
  assert.equal(await openStreams(), 200);
  assert.equal((await request('PATCH', `/session/${json.id}`, { status: 'fetched' })).status, 200);
  assert.equal((await request('PATCH', `/session/${json.id}`, { status: 'completed' })).status, 200);
  await until('200 ends', () => streams.every((s) => s.ended));
  for (const s of streams) {
    const fetched = s.raw.indexOf('"status":"fetched"');
    const completed = s.raw.indexOf('"status":"completed"');
    assert.ok(fetched > 0 && completed > fetched, 'fetched, then completed');
    assert.ok(s.raw.endsWith('0\r\n\r\n'), 'each response ends with the last chunk');
  }
  await until('all streams released', async () => (await openStreams()) === 0);
});
