// Args win over env, mirroring the flags of eudiplo_sse_server that the benchmark uses.
function option(name: string, envName: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i !== -1 && i + 1 < process.argv.length) return process.argv[i + 1];
  return process.env[envName] ?? fallback;
}

const listen = option('listen', 'LISTEN',
  `${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? '8080'}`);
const colon = listen.lastIndexOf(':');

export const config = {
  host: listen.slice(0, colon),
  port: Number(listen.slice(colon + 1)),
  jwtSecret: option('jwt-secret', 'JWT_SECRET', 'dev-secret-change-me-at-least-32-bytes!!'),
  jwksFile: option('jwks', 'JWKS_FILE', ''),
  heartbeatMs: Number(option('heartbeat', 'HEARTBEAT', '15')) * 1000,
  sessionTtlSeconds: Number(option('session-ttl', 'SESSION_TTL', '300')),
  issuer: option('issuer', 'ISSUER', 'eudiplo-service'),
  clients: new Map([['demo', { secret: 'demo-secret', tenant: 'demo' }]]),
};
