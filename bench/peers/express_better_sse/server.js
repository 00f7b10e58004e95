'use strict';
// Benchmark peer: the session-status routes of docs/contract.md (sections 3 and 5) written the
// way an Express user would with the better-sse package: sessions in a Map, one better-sse
// Channel per session id, HS256 (or ES256 from a JWKS file) verified with `jose`.
//
// Config (args win over env): --listen HOST:PORT (LISTEN, or HOST/PORT), --jwt-secret S
// (JWT_SECRET), --jwks FILE (JWKS_FILE: ES256 via JWKS instead of the secret), --heartbeat
// SECONDS (HEARTBEAT, default 15), --session-ttl SECONDS (SESSION_TTL, default 300),
// --issuer S (ISSUER, default eudiplo-service). Prints `listening on http://HOST:PORT`.

const crypto = require('node:crypto');
const fs = require('node:fs');
const express = require('express');
const { createSession, createChannel } = require('better-sse');
const jose = require('jose');

function option(name, envName, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i !== -1 && i + 1 < process.argv.length) return process.argv[i + 1];
  return process.env[envName] ?? fallback;
}

const listen = option('listen', 'LISTEN',
  `${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? '8080'}`);
const colon = listen.lastIndexOf(':');
const host = listen.slice(0, colon);
const port = Number(listen.slice(colon + 1));
const secret = option('jwt-secret', 'JWT_SECRET', 'dev-secret-change-me-at-least-32-bytes!!');
const jwksFile = option('jwks', 'JWKS_FILE', '');
const heartbeatMs = Number(option('heartbeat', 'HEARTBEAT', '15')) * 1000;
const sessionTtl = Number(option('session-ttl', 'SESSION_TTL', '300'));
const issuer = option('issuer', 'ISSUER', 'eudiplo-service');

const hmacKey = new TextEncoder().encode(secret);
const verifyKey = jwksFile ? jose.createLocalJWKSet(JSON.parse(fs.readFileSync(jwksFile, 'utf8')))
                           : hmacKey;
const algorithms = jwksFile ? ['ES256'] : ['HS256'];
const clients = new Map([['demo', { secret: 'demo-secret', tenant: 'demo' }]]);

const TERMINAL = new Set(['completed', 'expired', 'failed']);
const STATUSES = new Set(['active', 'fetched', 'completed', 'expired', 'failed']);
const sessions = new Map();  // id -> session
const channels = new Map();  // id -> Channel of the streams watching that session

function sessionJson(s) {
  return { id: s.id, status: s.status, version: s.version, createdAt: s.createdAt,
           updatedAt: s.updatedAt, expiresAt: s.expiresAt };
}
function eventData(s) { return { id: s.id, status: s.status, updatedAt: s.updatedAt }; }

function httpError(res, statusCode, error, message) {
  if (statusCode === 401) res.set('WWW-Authenticate', 'Bearer');
  res.status(statusCode).json({ statusCode, error, message });
}

async function verify(token) {
  const { payload } = await jose.jwtVerify(token, verifyKey, { issuer, algorithms });
  return payload;
}

function bearer(req) {
  const h = req.get('authorization');
  return h && h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

// Express 5 forwards rejected promises to the error handler, so async middleware is fine.
async function requireAuth(req, res, next) {
  const token = bearer(req);
  if (!token) return httpError(res, 401, 'Unauthorized', 'missing token');
  let claims;
  try {
    claims = await verify(token);
  } catch {
    return httpError(res, 401, 'Unauthorized', 'invalid token');
  }
  if (typeof claims.tenant_id !== 'string') return httpError(res, 403, 'Forbidden', 'no tenant');
  req.tenant = claims.tenant_id;
  next();
}

function findSession(req, res) {
  const s = sessions.get(req.params.id);
  if (!s || s.tenant !== req.tenant) {
    httpError(res, 404, 'Not Found', 'session not found');
    return undefined;
  }
  return s;
}

const app = express();
app.disable('x-powered-by');
app.use(express.json());
app.use(express.urlencoded({ extended: false }));

app.post('/oauth2/token', async (req, res) => {
  let id = req.body?.client_id;
  let pw = req.body?.client_secret;
  const basic = req.get('authorization');
  if (basic && basic.startsWith('Basic ')) {
    const decoded = Buffer.from(basic.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    id = decoded.slice(0, i);
    pw = decoded.slice(i + 1);
  }
  const client = clients.get(id);
  if (!client || client.secret !== pw) {
    return res.status(401).json({ error: 'invalid_client' });
  }
  const expiresIn = 3600;
  const token = await new jose.SignJWT({ tenant_id: client.tenant, roles: [] })
                    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
                    .setIssuer(issuer)
                    .setSubject(id)
                    .setIssuedAt()
                    .setExpirationTime(`${expiresIn}s`)
                    .sign(hmacKey);
  res.json({ access_token: token, token_type: 'Bearer', expires_in: expiresIn });
});

app.post('/session', requireAuth, (req, res) => {
  const ttl = Number(req.body?.ttlSeconds ?? sessionTtl);
  const now = new Date();
  const s = {
    id: crypto.randomUUID(), tenant: req.tenant, status: 'active', version: 1,
    createdAt: now.toISOString(), updatedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
  };
  sessions.set(s.id, s);
  res.status(201).json(sessionJson(s));
});

app.get('/session/:id', requireAuth, (req, res) => {
  const s = findSession(req, res);
  if (s) res.json(sessionJson(s));
});

app.patch('/session/:id', requireAuth, (req, res) => {
  const s = findSession(req, res);
  if (!s) return;
  const status = req.body?.status;
  if (!STATUSES.has(status)) return httpError(res, 400, 'Bad Request', 'unknown status');
  if (status === s.status) return res.json(sessionJson(s));
  if (TERMINAL.has(s.status)) return httpError(res, 409, 'Conflict', 'session is terminal');
  s.status = status;
  s.version += 1;
  s.updatedAt = new Date().toISOString();
  const channel = channels.get(s.id);
  if (channel) {
    channel.broadcast(eventData(s), 'message', { eventId: String(s.version) });
    if (TERMINAL.has(s.status)) {
      for (const sse of channel.activeSessions) endStream(sse);
      channels.delete(s.id);
    }
  }
  res.json(sessionJson(s));
});

function endStream(sse) { sse.state.res.end(); }

app.get('/session/:id/events', async (req, res) => {
  const token = bearer(req) ?? (typeof req.query.token === 'string' ? req.query.token : undefined);
  if (!token) return httpError(res, 401, 'Unauthorized', 'missing token');
  let claims;
  try {
    claims = await verify(token);
  } catch {
    return httpError(res, 401, 'Unauthorized', 'invalid token');
  }
  if (typeof claims.tenant_id !== 'string') return httpError(res, 403, 'Forbidden', 'no tenant');
  const s = sessions.get(req.params.id);
  if (!s || s.tenant !== claims.tenant_id) {
    return httpError(res, 404, 'Not Found', 'session not found');
  }
  if (TERMINAL.has(s.status) && req.get('last-event-id') === String(s.version)) {
    return res.status(204).end();
  }
  const sse = await createSession(req, res, {
    keepAlive: heartbeatMs, retry: 3000, state: { res },
    headers: { 'Cache-Control': 'private, no-cache, no-store', 'X-Accel-Buffering': 'no' },
  });
  // Read the status only now that the stream is connected: nothing runs in between, so no
  // change can slip through between this push and the channel registration.
  const current = sessions.get(s.id);
  sse.push(eventData(current), 'message', String(current.version));
  if (TERMINAL.has(current.status)) return res.end();
  let channel = channels.get(s.id);
  if (!channel) {
    channel = createChannel();
    channels.set(s.id, channel);
    channel.on('session-deregistered', () => {
      if (channel.sessionCount === 0 && channels.get(s.id) === channel) channels.delete(s.id);
    });
  }
  channel.register(sse);
});

app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));

app.use((err, _req, res, _next) => {
  const statusCode = err.status ?? err.statusCode ?? 500;
  res.status(statusCode).json({ statusCode, error: 'Error', message: 'request failed' });
});

const server = app.listen(port, host, () => {
  const addr = server.address();
  console.log(`listening on http://${addr.address}:${addr.port}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
