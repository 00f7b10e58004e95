// HTTP plumbing for the tests: ordinary JSON requests through node:http, and a raw
// `net` client with its own response parser (status line, headers, Content-Length /
// chunked / read-until-close bodies) for SSE streams and malformed requests.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import assert from 'node:assert/strict';
import { SseParser } from './sse_parser.mjs';
import { DEMO_CLIENT } from './server.mjs';

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const tlsAgents = new Map();

function agentFor(server) {
  if (!server.tls) return agent;
  if (!tlsAgents.has(server.ca)) tlsAgents.set(server.ca, new https.Agent({ keepAlive: true, maxSockets: 32, ca: server.ca }));
  return tlsAgents.get(server.ca);
}

// A plain or TLS socket to the server, trusting only the certificate the test made.
export function connect(server) {
  if (server.tls) return tls.connect({ host: server.host, port: server.port, ca: server.ca });
  return net.connect(server.port, server.host);
}

export function request(server, method, path, { headers = {}, body, json, token, timeoutMs = 10000 } = {}) {
  const h = { ...headers };
  let payload = body;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    h['content-type'] = 'application/json';
  }
  if (token) h.authorization = `Bearer ${token}`;
  if (payload !== undefined) h['content-length'] = Buffer.byteLength(payload);
  return new Promise((resolve, reject) => {
    const req = (server.tls ? https : http).request(
      { host: server.host, port: server.port, method, path, headers: h, agent: agentFor(server), timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode, headers: res.headers, text, json: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export async function getToken(server, client = DEMO_CLIENT) {
  const basic = Buffer.from(`${client.id}:${client.secret}`).toString('base64');
  const res = await request(server, 'POST', server.p('/oauth2/token'), {
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  assert.equal(res.status, 200, `POST /oauth2/token: ${res.text}`);
  assert.equal(typeof res.json?.access_token, 'string', 'access_token');
  return server.rememberSecret(res.json.access_token);
}

export async function createSession(server, token, body) {
  const res = await request(server, 'POST', server.p('/session'), { token, json: body });
  assert.equal(res.status, 201, `POST /session: ${res.status} ${res.text}`);
  assert.equal(typeof res.json?.id, 'string', 'session id');
  return res.json;
}

export function patchStatus(server, token, id, status) {
  return request(server, 'PATCH', server.p(`/session/${encodeURIComponent(id)}`), { token, json: { status } });
}

export async function setStatus(server, token, id, status) {
  const res = await patchStatus(server, token, id, status);
  assert.equal(res.status, 200, `PATCH ${status}: ${res.status} ${res.text}`);
  return res.json;
}

export function eventsPath(server, id, token) {
  const q = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return server.p(`/session/${encodeURIComponent(id)}/events${q}`);
}

// Incremental HTTP/1.1 response parser for one response.
class ResponseReader {
  constructor({ onHead, onBody, onEnd, headRequest = false }) {
    this.buf = Buffer.alloc(0);
    this.state = 'head';
    this.onHead = onHead;
    this.onBody = onBody;
    this.onEnd = onEnd;
    this.headRequest = headRequest;
  }

  push(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.#run();
  }

  // The peer closed the connection.
  eof() {
    if (this.state === 'close') {
      this.state = 'done';
      this.onEnd('eof');
    } else if (this.state !== 'done') {
      const state = this.state;
      this.state = 'done';
      this.onEnd(`eof-in-${state}`);
    }
  }

  #run() {
    for (;;) {
      if (this.state === 'head') {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const headText = this.buf.subarray(0, end).toString('latin1');
        this.buf = this.buf.subarray(end + 4);
        const lines = headText.split('\r\n');
        const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0]);
        if (!m) throw new Error(`bad status line: ${JSON.stringify(lines[0])}`);
        const headers = {};
        const rawHeaders = [];
        for (const line of lines.slice(1)) {
          const c = line.indexOf(':');
          if (c <= 0) throw new Error(`bad header line: ${JSON.stringify(line)}`);
          const name = line.slice(0, c).trim().toLowerCase();
          const value = line.slice(c + 1).trim();
          rawHeaders.push([name, value]);
          headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
        }
        const status = Number(m[2]);
        this.head = { version: m[1], status, reason: m[3] ?? '', headers, rawHeaders };
        this.onHead(this.head);
        const te = (headers['transfer-encoding'] || '').toLowerCase();
        if (this.headRequest || status === 204 || status === 304 || (status >= 100 && status < 200)) {
          this.state = 'done';
          this.onEnd('no-body');
          return;
        } else if (te.includes('chunked')) {
          this.state = 'chunk-size';
        } else if (headers['content-length'] !== undefined) {
          this.remaining = Number(headers['content-length']);
          this.state = 'length';
          if (this.remaining === 0) {
            this.state = 'done';
            this.onEnd('length');
            return;
          }
        } else {
          this.state = 'close';
        }
      } else if (this.state === 'length') {
        if (!this.buf.length) return;
        const take = this.buf.subarray(0, this.remaining);
        this.buf = this.buf.subarray(take.length);
        this.remaining -= take.length;
        this.onBody(take);
        if (this.remaining === 0) {
          this.state = 'done';
          this.onEnd('length');
          return;
        }
      } else if (this.state === 'close') {
        if (!this.buf.length) return;
        const b = this.buf;
        this.buf = Buffer.alloc(0);
        this.onBody(b);
        return;
      } else if (this.state === 'chunk-size') {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) return;
        const sizeText = this.buf.subarray(0, eol).toString('latin1').split(';')[0].trim();
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`bad chunk size ${JSON.stringify(sizeText)}`);
        this.remaining = parseInt(sizeText, 16);
        this.buf = this.buf.subarray(eol + 2);
        this.state = this.remaining === 0 ? 'trailers' : 'chunk-data';
      } else if (this.state === 'chunk-data') {
        if (!this.buf.length) return;
        const take = this.buf.subarray(0, this.remaining);
        this.buf = this.buf.subarray(take.length);
        this.remaining -= take.length;
        this.onBody(take);
        if (this.remaining === 0) this.state = 'chunk-crlf';
      } else if (this.state === 'chunk-crlf') {
        if (this.buf.length < 2) return;
        if (this.buf[0] !== 0x0d || this.buf[1] !== 0x0a) throw new Error('chunk not followed by CRLF');
        this.buf = this.buf.subarray(2);
        this.state = 'chunk-size';
      } else if (this.state === 'trailers') {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) return;
        const line = this.buf.subarray(0, eol);
        this.buf = this.buf.subarray(eol + 2);
        if (line.length === 0) {
          this.state = 'done';
          this.onEnd('chunked');
          return;
        }
      } else {
        return;
      }
    }
  }
}

// Sends raw bytes and reads one response. Resolves with status, headers, body and
// whether the server closed the connection afterwards (`closed` is only known when
// waitCloseMs > 0).
export function rawExchange(server, bytes, { timeoutMs = 5000, waitCloseMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = connect(server);
    const chunks = [];
    let head;
    let closed = false;
    let done = false;
    const timer = setTimeout(() => finish(new Error(`no complete response within ${timeoutMs} ms (head: ${JSON.stringify(head)})`)), timeoutMs);
    const finish = (err, result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(result);
    };
    const reader = new ResponseReader({
      onHead: (h) => {
        head = h;
      },
      onBody: (b) => chunks.push(b),
      onEnd: (how) => {
        if (!head) return finish(new Error(`connection closed without a response (${how})`));
        const result = { ...head, body: Buffer.concat(chunks).toString('utf8'), ended: how, closed };
        if (waitCloseMs > 0 && !closed) {
          const t = setTimeout(() => finish(null, result), waitCloseMs);
          socket.once('close', () => {
            clearTimeout(t);
            result.closed = true;
            finish(null, result);
          });
        } else {
          finish(null, result);
        }
      },
    });
    socket.on('data', (d) => {
      try {
        reader.push(d);
      } catch (e) {
        finish(e);
      }
    });
    socket.on('end', () => {
      closed = true;
      reader.eof();
    });
    socket.on('error', (e) => {
      // A reset after a complete head of a read-until-close body still ends it.
      if (head && reader.state === 'close') {
        closed = true;
        reader.eof();
      } else if (!done) finish(new Error(`${e.code ?? e.message} before a complete response (head: ${JSON.stringify(head)})`));
    });
    socket.on('close', () => {
      closed = true;
      reader.eof();
    });
    socket.write(bytes);
  });
}

export function rawGet(server, path, headers = {}, opts = {}) {
  let req = `GET ${path} HTTP/1.1\r\nHost: ${server.host}:${server.port}\r\n`;
  for (const [k, v] of Object.entries(headers)) req += `${k}: ${v}\r\n`;
  req += '\r\n';
  return rawExchange(server, req, opts);
}

// A subscriber on a raw socket: records the response head, every SSE record
// (retry, comment, event) with its arrival time, and how the body ended.
export class RawSse {
  constructor(server, path, headers = {}) {
    this.server = server;
    this.path = path;
    this.records = [];
    this.bodyBytes = 0;
    this.firstBody = Buffer.alloc(0);
    this.head = null;
    this.endedHow = null;
    this.endedAt = null;
    this.socketClosed = false;
    this.errors = [];
    this.waiters = new Set();
    this.parser = new SseParser((r) => {
      r.at = Date.now();
      this.records.push(r);
      this.#notify();
    });
    this.reader = new ResponseReader({
      onHead: (h) => {
        this.head = h;
        this.headAt = Date.now();
        this.#notify();
      },
      onBody: (b) => {
        if (this.firstBody.length < 64) this.firstBody = Buffer.concat([this.firstBody, b]).subarray(0, 64);
        this.bodyBytes += b.length;
        if (this.head.status === 200) {
          try {
            this.parser.push(b);
          } catch (e) {
            this.errors.push(e);
          }
        } else {
          this.errorBody = (this.errorBody ?? '') + b.toString('utf8');
        }
      },
      onEnd: (how) => {
        if (this.endedHow) return;
        try {
          this.parser.end();
        } catch (e) {
          this.errors.push(e);
        }
        this.endedHow = how;
        this.endedAt = Date.now();
        this.#notify();
      },
    });
    this.startedAt = Date.now();
    this.socket = connect(server);
    this.socket.setNoDelay(true);
    this.socket.on('data', (d) => {
      try {
        this.reader.push(d);
      } catch (e) {
        this.errors.push(e);
        this.socket.destroy();
      }
    });
    const onGone = () => {
      this.socketClosed = true;
      this.reader.eof();
      this.#notify();
    };
    this.socket.on('end', onGone);
    this.socket.on('close', onGone);
    this.socket.on('error', (e) => {
      if (!this.endedHow) this.errors.push(e);
    });
    let req = `GET ${path} HTTP/1.1\r\nHost: ${server.host}:${server.port}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n`;
    for (const [k, v] of Object.entries(headers)) req += `${k}: ${v}\r\n`;
    req += '\r\n';
    this.socket.write(req);
  }

  get events() {
    return this.records.filter((r) => r.kind === 'event');
  }

  get statuses() {
    return this.events.map((e) => JSON.parse(e.data).status);
  }

  get ended() {
    return this.endedHow !== null;
  }

  #notify() {
    for (const w of [...this.waiters]) {
      let ok = false;
      try {
        ok = w.pred();
      } catch (e) {
        this.waiters.delete(w);
        clearTimeout(w.timer);
        w.reject(e);
        continue;
      }
      if (ok) {
        this.waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve();
      }
    }
  }

  waitUntil(pred, timeoutMs, what = 'condition') {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { pred, resolve, reject };
      w.timer = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`${what} not reached within ${timeoutMs} ms on ${this.path.replace(/token=[^&]*/, 'token=…')}; ` +
          `status=${this.head?.status} records=${JSON.stringify(this.records.map(({ at, ...r }) => r))} ended=${this.endedHow} errors=${this.errors}`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  waitHead(timeoutMs = 3000) {
    return this.waitUntil(() => this.head !== null || this.ended, timeoutMs, 'response head');
  }

  waitEvents(n, timeoutMs = 3000) {
    return this.waitUntil(() => this.events.length >= n, timeoutMs, `${n} events`);
  }

  waitEnd(timeoutMs = 3000) {
    return this.waitUntil(() => this.ended, timeoutMs, 'end of stream');
  }

  close() {
    this.socket.destroy();
  }
}

export function openSse(server, id, token, headers) {
  return new RawSse(server, eventsPath(server, id, token), headers);
}

// Resolves once pred() holds (polled every 20 ms); rejects naming `what` after timeoutMs.
export function until(pred, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      if (pred()) return resolve();
      if (Date.now() - start > timeoutMs) return reject(new Error(`${what} not reached within ${timeoutMs} ms`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

