// Benchmark peer: the session-status routes of docs/contract.md written as EUDIPLO does in
// NestJS (@Sse() over one RxJS Subject filtered per session, HS256 checked with `jose`).
// Config: --listen HOST:PORT (or LISTEN / HOST+PORT), --jwt-secret, --jwks FILE (ES256),
// --heartbeat SECONDS, --session-ttl SECONDS, --issuer. Prints `listening on http://HOST:PORT`.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { config } from './config';

async function bootstrap() {
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  const addr = app.getHttpServer().address() as AddressInfo;
  console.log(`listening on http://${addr.address}:${addr.port}`);
}
void bootstrap();
