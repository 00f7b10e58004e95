// End-to-end: one session's lifecycle through eudiplo_sse_beast_host, the events
// route mounted in a Boost.Beast server through BeastSseWriter.
//
//   node --test lifecycle.test.mjs   (EUDIPLO_SSE_BEAST_HOST=<path to the binary>)
//
// The stream is read over a raw socket, so the HTTP framing the adapter produces
// (status line, headers, chunked body, last chunk) is checked byte for byte rather
// than through a client library's tolerance. Loopback only.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import net from 'node:net';
import { after, before, test } from 'node:test';

const binary = process.env.EUDIPLO_SSE_BEAST_HOST;
const secret = 'beast-host-e2e-secret-0123456789abcdef';
const issuer = 'beast-e2e';

let server;
let port;
let exitCode;

function sign(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64({ iss: issuer, sub: 'e2e', iat: now, exp: now + 300, ...claims });
  const mac = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${mac}`;
}

const token = sign({ tenant_id: 'acme' });
const otherTenant = sign({ tenant_id: 'globex' });

async function request(method, path, { bearer, body, headers = {} } = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : null };
}

// Opens GET <path> on a raw socket and decodes the response as it arrives:
// head, de-chunked body, the SSE blocks in it, and whether the last chunk came.
function openStream(path, extraHeaders = '') {
  const socket = net.connect(port, '127.0.0.1');
  const stream = {
    head: null,
    body: '',
    events: [],
    comments: [],
    lastChunk: false,
    ended: false,
    waiters: [],
    socket,
  };
  let raw = Buffer.alloc(0);
  const notify = () => {
    for (const w of stream.waiters.splice(0)) w();
  };
  const parseBlocks = () => {
    let end;
    while ((end = stream.body.indexOf('\n\n')) !== -1) {
      const block = stream.body.slice(0, end);
      stream.body = stream.body.slice(end + 2);
      const fields = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) stream.comments.push(line);
        else {
          const colon = line.indexOf(':');
          fields[line.slice(0, colon)] = line.slice(colon + 2);
        }
      }
      if ('data' in fields) stream.events.push(fields);
      else if ('retry' in fields) stream.retry = fields.retry;
    }
  };
  socket.on('data', (chunk) => {
    raw = Buffer.concat([raw, chunk]);
    if (!stream.head) {
      const end = raw.indexOf('\r\n\r\n');
      if (end === -1) return;
      const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
      const [, status] = lines[0].split(' ');
      const headers = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      stream.head = { statusLine: lines[0], status: Number(status), headers };
      raw = raw.subarray(end + 4);
    }
    if (stream.head.headers['transfer-encoding'] !== 'chunked') {
      stream.body += raw.toString('utf8');
      raw = Buffer.alloc(0);
    }
    for (;;) {
      const eol = raw.indexOf('\r\n');
      if (eol === -1) break;
      const size = parseInt(raw.subarray(0, eol).toString('latin1'), 16);
      assert.ok(Number.isInteger(size), 'chunk size line');
      if (raw.length < eol + 2 + size + 2) break;
      if (size === 0) stream.lastChunk = true;
      stream.body += raw.subarray(eol + 2, eol + 2 + size).toString('utf8');
      assert.equal(raw.subarray(eol + 2 + size, eol + 4 + size).toString(), '\r\n');
      raw = raw.subarray(eol + 4 + size);
    }
    parseBlocks();
    notify();
  });
  socket.on('close', () => {
    stream.ended = true;
    notify();
  });
  socket.on('error', () => {});
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n${extraHeaders}\r\n`,
  );
  return stream;
}

async function until(stream, what, predicate, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    const left = deadline - Date.now();
    if (left <= 0) assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(stream.events)}`);
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, left);
      stream.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

before(async () => {
  assert.ok(binary, 'set EUDIPLO_SSE_BEAST_HOST to the eudiplo_sse_beast_host binary');
  server = spawn(
    binary,
    ['--listen', '127.0.0.1:0', '--jwt-secret', secret, '--issuer', issuer, '--heartbeat', '1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stderr.on('data', (d) => process.stderr.write(d));
  server.on('exit', (code) => {
    exitCode = code;
  });
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

after(() => {
  if (server && exitCode === undefined) server.kill('SIGKILL');
});

test('active -> fetched -> completed arrives in order and the stream ends', async () => {
  const created = await request('POST', '/session', { bearer: token });
  assert.equal(created.status, 201);
  assert.equal(created.json.status, 'active');
  assert.equal(created.json.version, 1);
  const id = created.json.id;

  const stream = openStream(`/session/${id}/events?token=${token}`);
  await until(stream, 'the first event', () => stream.events.length >= 1);
  assert.equal(stream.head.status, 200);
  assert.match(stream.head.headers['content-type'], /^text\/event-stream/);
  assert.equal(stream.head.headers['transfer-encoding'], 'chunked');
  assert.equal(stream.head.headers['content-length'], undefined);
  assert.equal(stream.head.headers['x-accel-buffering'], 'no');
  assert.equal(stream.retry, '3000');

  const fetched = await request('PATCH', `/session/${id}`, {
    bearer: token,
    body: { status: 'fetched' },
  });
  assert.equal(fetched.status, 200);
  assert.equal(fetched.json.version, 2);
  await until(stream, 'the fetched event', () => stream.events.length >= 2);

  const completed = await request('PATCH', `/session/${id}`, {
    bearer: token,
    body: { status: 'completed' },
  });
  assert.equal(completed.status, 200);
  await until(stream, 'the end of the stream', () => stream.ended);

  assert.ok(stream.lastChunk, 'the response ends with the last chunk, not a cut connection');
  assert.deepEqual(
    stream.events.map((e) => [Number(e.id), JSON.parse(e.data).status]),
    [
      [1, 'active'],
      [2, 'fetched'],
      [3, 'completed'],
    ],
  );
  for (const e of stream.events) {
    const data = JSON.parse(e.data);
    assert.deepEqual(Object.keys(data), ['id', 'status', 'updatedAt']);
    assert.equal(data.id, id);
  }
  assert.ok(!stream.body.includes(token), 'the token is never echoed');

  const late = await request('PATCH', `/session/${id}`, { bearer: token, body: { status: 'failed' } });
  assert.equal(late.status, 409, 'a terminal status is final');

  const again = openStream(`/session/${id}/events?token=${token}`, 'Last-Event-ID: 3\r\n');
  await until(again, 'the 204', () => again.head !== null);
  assert.equal(again.head.status, 204, 'a reconnect after the terminal event gets 204');
  again.socket.destroy();
});

test('keep-alive comments, refusals, and a client that leaves', async () => {
  const created = await request('POST', '/session', { bearer: token });
  const id = created.json.id;

  const stream = openStream(`/session/${id}/events`, `Authorization: Bearer ${token}\r\n`);
  await until(stream, 'a keep-alive comment', () => stream.comments.includes(': keep-alive'));
  assert.equal(stream.events.length, 1);
  const open = async () => (await request('GET', '/healthz')).json.openStreams;
  assert.equal(await open(), 1);
  stream.socket.destroy();
  // The writer's pending read sees the client go, and the route releases the stream.
  const deadline = Date.now() + 5000;
  while ((await open()) !== 0) {
    assert.ok(Date.now() < deadline, 'the stream of a client that left is released');
    await new Promise((r) => setTimeout(r, 50));
  }

  const none = await request('GET', `/session/${id}/events`);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  assert.deepEqual(Object.keys(none.json), ['statusCode', 'error', 'message']);

  const other = await request('GET', `/session/${id}/events?token=${otherTenant}`);
  assert.equal(other.status, 404, "another tenant's session does not exist for it");
  assert.ok(!other.text.includes(otherTenant));

  const noTenant = await request('GET', `/session/${id}/events?token=${sign({})}`);
  assert.equal(noTenant.status, 403);

  const expired = await request('PATCH', `/session/${id}`, {
    bearer: token,
    body: { status: 'expired' },
  });
  assert.equal(expired.status, 200);
  const bad = await request('PATCH', `/session/${id}`, { bearer: token, body: { status: 'nope' } });
  assert.equal(bad.status, 400);
});

test('SIGTERM ends open streams and exits 0', async () => {
  const created = await request('POST', '/session', { bearer: token });
  const stream = openStream(`/session/${created.json.id}/events?token=${token}`);
  await until(stream, 'the first event', () => stream.events.length >= 1);
  const exited = new Promise((resolve) => server.on('exit', resolve));
  server.kill('SIGTERM');
  await until(stream, 'the end of the stream', () => stream.ended);
  assert.ok(stream.lastChunk, 'shutdown ends the response cleanly');
  assert.equal(await exited, 0);
});
