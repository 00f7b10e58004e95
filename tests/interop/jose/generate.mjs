// Writes keys and tokens made by the npm `jose` package (an independent JOSE
// implementation on WebCrypto/Node crypto) for jose_interop.cpp to verify:
//   node generate.mjs OUT_DIR
// OUT_DIR/manifest.json holds the public keys (as a JWKS and as SPKI PEM), the HMAC
// secrets, and one case per token with the error JwtVerifier must answer ("ok" when
// the token must verify). Keys are fresh on every run.
import * as jose from 'jose';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: node generate.mjs OUT_DIR');
  process.exit(2);
}

const ALGS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512', 'EdDSA'];
// A supported algorithm of the same family that a key bound to `alg` must refuse.
const OTHER_ALG = { HS256: 'HS384', HS384: 'HS512', HS512: 'HS256', RS256: 'PS256', RS384: 'RS256',
  RS512: 'PS512', PS256: 'RS256', PS384: 'PS256', PS512: 'RS512', ES256: 'ES384', ES384: 'ES256',
  ES512: 'ES256', EdDSA: 'ES256' };
const ISSUER = 'jose-interop';
const AUDIENCE = 'eudiplo-sse';
const now = Math.floor(Date.now() / 1000);

const b64 = (bytes) => Buffer.from(bytes).toString('base64url');
const fromB64 = (text) => Buffer.from(text, 'base64url');

function flipSignatureBit(token, byte) {
  const [h, p, s] = token.split('.');
  const sig = fromB64(s);
  sig[byte < 0 ? sig.length + byte : byte] ^= 0x01;
  return `${h}.${p}.${b64(sig)}`;
}

function replacePayload(token, claims) {
  const [h, , s] = token.split('.');
  return `${h}.${b64(JSON.stringify(claims))}.${s}`;
}

function replaceHeader(token, header) {
  const [, p, s] = token.split('.');
  return `${b64(JSON.stringify(header))}.${p}.${s}`;
}

async function sign(claims, alg, kid, key, { iat = now, exp = now + 600, aud = [AUDIENCE, 'other'] } = {}) {
  const header = kid ? { alg, kid, typ: 'JWT' } : { alg, typ: 'JWT' };
  return new jose.SignJWT(claims)
    .setProtectedHeader(header)
    .setIssuer(ISSUER)
    .setAudience(aud)
    .setSubject('interop-user')
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .sign(key);
}

const jwks = { keys: [] };
const pems = [];
const secrets = [];
const cases = [];

for (const alg of ALGS) {
  const kid = `jose-${alg}`;
  let signingKey;
  if (alg.startsWith('HS')) {
    signingKey = await jose.generateSecret(alg, { extractable: true });
    secrets.push({ kid, alg, k: (await jose.exportJWK(signingKey)).k });
  } else {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    signingKey = privateKey;
    const jwk = await jose.exportJWK(publicKey);
    jwks.keys.push({ ...jwk, kid, alg, use: 'sig' });
    pems.push({ kid, alg, pem: await jose.exportSPKI(publicKey) });
  }
  const tenant = `tenant-${alg}`;
  const claims = { tenant_id: tenant, roles: ['reader'] };
  const token = await sign(claims, alg, kid, signingKey);
  const add = (what, t, expect) => cases.push({ alg, kid, what, token: t, expect, tenant });

  add('signed by jose', token, 'ok');
  add('signed by jose, no kid', await sign(claims, alg, undefined, signingKey), 'ok');
  add('first signature bit flipped', flipSignatureBit(token, 0), 'signature_invalid');
  add('last signature bit flipped', flipSignatureBit(token, -1), 'signature_invalid');
  add('payload swapped for another tenant', replacePayload(token, {
    ...jose.decodeJwt(token), tenant_id: 'tenant-other' }), 'signature_invalid');
  add('alg header changed', replaceHeader(token, { alg: OTHER_ALG[alg], kid, typ: 'JWT' }),
    'algorithm_disallowed');
  add('alg none', replaceHeader(token, { alg: 'none', kid, typ: 'JWT' }), 'algorithm_unsupported');
  add('unknown kid', await sign(claims, alg, `${kid}-rotated`, signingKey), 'key_unknown');
  add('expired', await sign(claims, alg, kid, signingKey, { iat: now - 3600, exp: now - 60 }),
    'token_expired');
  add('issued in the future', await sign(claims, alg, kid, signingKey, { iat: now + 600, exp: now + 1200 }),
    'token_not_yet_valid');
  add('wrong audience', await sign(claims, alg, kid, signingKey, { aud: 'someone-else' }),
    'audience_mismatch');
  add('numeric tenant', await sign({ tenant_id: 42 }, alg, kid, signingKey), 'tenant_missing');
}

// An unsecured JWT as jose writes it: an empty signature segment.
cases.push({ alg: 'none', kid: '', what: 'jose UnsecuredJWT', expect: 'token_malformed', tenant: '',
  token: new jose.UnsecuredJWT({ tenant_id: 'x' }).setIssuer(ISSUER).setAudience(AUDIENCE)
    .setExpirationTime(now + 600).encode() });

await mkdir(outDir, { recursive: true });
const manifest = { now, issuer: ISSUER, audience: AUDIENCE, jwks, pems, secrets, cases };
await writeFile(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 1));
console.log(`jose ${ALGS.length} algorithms, ${cases.length} tokens -> ${outDir}/manifest.json`);
