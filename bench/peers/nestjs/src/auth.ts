import { readFileSync } from 'node:fs';
import {
  CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException,
} from '@nestjs/common';
import * as jose from 'jose';
import { config } from './config';

export const hmacKey = new TextEncoder().encode(config.jwtSecret);
const jwks = config.jwksFile
  ? jose.createLocalJWKSet(JSON.parse(readFileSync(config.jwksFile, 'utf8')))
  : undefined;

// HS256 with the shared secret, as EUDIPLO's SSE route does; ES256 from a JWKS file when one
// is configured (it then replaces the secret, like eudiplo_sse_server's --jwks).
export async function verifyToken(token: string | undefined): Promise<string> {
  if (!token) throw new UnauthorizedException('missing token');
  let payload: jose.JWTPayload;
  try {
    payload = jwks
      ? (await jose.jwtVerify(token, jwks, { issuer: config.issuer, algorithms: ['ES256'] })).payload
      : (await jose.jwtVerify(token, hmacKey, { issuer: config.issuer, algorithms: ['HS256'] }))
          .payload;
  } catch {
    throw new UnauthorizedException('invalid token');
  }
  if (typeof payload.tenant_id !== 'string') throw new ForbiddenException('no tenant');
  return payload.tenant_id;
}

export function bearer(authorization: string | undefined): string | undefined {
  return authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
}

@Injectable()
export class JwtAuthGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest();
    req.tenant = await verifyToken(bearer(req.headers.authorization));
    return true;
  }
}
