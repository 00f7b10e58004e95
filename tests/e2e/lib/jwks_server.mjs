// A local HTTPS identity provider for the key-rotation tests: a throwaway CA and a
// server certificate for 127.0.0.1 made with the openssl CLI, a JWKS at /jwks whose
// keys, Cache-Control and failure mode the test changes at will, and an OpenID
// configuration at /idp/.well-known/openid-configuration. Loopback only.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signJws } from './jwt.mjs';

export function makeTestCa() {
  const dir = mkdtempSync(path.join(tmpdir(), 'eudiplo-sse-e2e-ca-'));
  const f = (name) => path.join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  execFileSync('openssl', ['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1',
    '-subj', '/CN=eudiplo-sse e2e throwaway CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], { stdio: 'ignore' });
  execFileSync('openssl', ['req', ...ec, '-keyout', f('key.pem'), '-out', f('csr.pem'), '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  execFileSync('openssl', ['x509', '-req', '-in', f('csr.pem'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'),
    '-CAcreateserial', '-out', f('cert.pem'), '-days', '1', '-extfile', f('ext.cnf')], { stdio: 'ignore' });
  return { dir, caFile: f('ca.pem'), cert: readFileSync(f('cert.pem')), key: readFileSync(f('key.pem')) };
}

// An ES256 key with its kid and public JWK.
export function makeKey(kid) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
}

export function jwksOf(...keys) {
  return { keys: keys.map((k) => k.jwk) };
}

export function tokenFor(key, claims, kid = key.kid) {
  return signJws(claims, { alg: 'ES256', typ: 'JWT', kid }, key.privateKey);
}

// mode: 'ok' | 'error' (HTTP 500) | 'garbage' (200, not JSON) | 'reset' (connection dropped)
export async function startJwksServer(ca) {
  const state = { jwks: { keys: [] }, mode: 'ok', cacheControl: 'max-age=300', discoveryIssuer: null, hits: [] };
  const server = https.createServer({ cert: ca.cert, key: ca.key }, (req, res) => {
    state.hits.push({ path: req.url, at: Date.now() });
    if (req.url === '/jwks') {
      if (state.mode === 'reset') return req.socket.destroy();
      if (state.mode === 'error') return res.writeHead(500).end('{"error":"down"}');
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': state.cacheControl });
      return res.end(state.mode === 'garbage' ? '<html>maintenance</html>' : JSON.stringify(state.jwks));
    }
    if (req.url === '/idp/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({
        issuer: state.discoveryIssuer ?? `${origin}/idp`,
        jwks_uri: `${origin}/jwks`,
        authorization_endpoint: `${origin}/idp/auth`,
      }));
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://127.0.0.1:${server.address().port}`;
  return {
    origin,
    state,
    jwksFetches: (since = 0) => state.hits.filter((h) => h.path === '/jwks' && h.at >= since).length,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(resolve);
    }),
  };
}
