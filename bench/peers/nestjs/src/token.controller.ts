import { Body, Controller, Headers, HttpCode, Post, UnauthorizedException } from '@nestjs/common';
import { SignJWT } from 'jose';
import { hmacKey } from './auth';
import { config } from './config';

@Controller('oauth2')
export class TokenController {
  @Post('token')
  @HttpCode(200)
  async token(@Headers('authorization') authorization: string | undefined,
              @Body() body: { client_id?: string; client_secret?: string } | undefined) {
    let id = body?.client_id;
    let secret = body?.client_secret;
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      id = decoded.slice(0, i);
      secret = decoded.slice(i + 1);
    }
    const client = id === undefined ? undefined : config.clients.get(id);
    if (!client || client.secret !== secret) throw new UnauthorizedException('invalid_client');
    const expiresIn = 3600;
    const accessToken = await new SignJWT({ tenant_id: client.tenant, roles: [] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(config.issuer)
      .setSubject(id as string)
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`)
      .sign(hmacKey);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn };
  }
}
