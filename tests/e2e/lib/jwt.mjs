// JWTs signed here with node:crypto, so the tests can present tokens the token
// endpoint would never issue (expired, wrong issuer, no tenant claim, ...).
import { constants, createHmac, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';

export function b64url(input) {
  return Buffer.from(input).toString('base64url');
}

export function signHs256(payload, secret, header = { alg: 'HS256', typ: 'JWT' }) {
  const head = b64url(JSON.stringify(header));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

export function decodeJwt(token) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(`not a compact JWS: ${parts.length} parts`);
  return {
    header: JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')),
    signature: parts[2],
  };
}

export function verifyHs256(token, secret) {
  const [head, body, sig] = token.split('.');
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return expected === sig;
}

export function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

// Asymmetric JWS for the --jwks tests. The header's alg and kid are whatever the
// caller says, so mismatches (alg confusion, wrong kid) can be built on purpose.

export function signJws(payload, header, privateKey) {
  const head = b64url(JSON.stringify(header));
  const body = b64url(JSON.stringify(payload));
  const data = Buffer.from(`${head}.${body}`);
  let sig;
  switch (header.alg) {
    case 'RS256':
      sig = cryptoSign('sha256', data, privateKey);
      break;
    case 'PS256':
      sig = cryptoSign('sha256', data, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      break;
    case 'ES256':
      sig = cryptoSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      break;
    case 'EdDSA':
      sig = cryptoSign(null, data, privateKey);
      break;
    default:
      throw new Error(`signJws: unsupported alg ${header.alg}`);
  }
  return `${head}.${body}.${sig.toString('base64url')}`;
}

// One key per algorithm, each bound to its alg in the JWKS (contract section 4).
export function makeKeySet() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pss = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const keys = {
    RS256: { kid: 'rsa-1', ...rsa },
    PS256: { kid: 'pss-1', ...pss },
    ES256: { kid: 'ec-1', ...ec },
    EdDSA: { kid: 'ed-1', ...ed },
  };
  const jwks = {
    keys: Object.entries(keys).map(([alg, k]) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg, use: 'sig' })),
  };
  return { keys, jwks };
}
