import {
  Body, Controller, Get, Headers, MessageEvent, Param, Patch, Post, Query, Sse, UseGuards, Req,
} from '@nestjs/common';
import { concat, defer, filter, interval, map, merge, Observable, of, takeWhile } from 'rxjs';
import { bearer, JwtAuthGuard, verifyToken } from './auth';
import { config } from './config';
import { Session, SessionService, TERMINAL, toJson } from './session.service';

const HEARTBEAT = Symbol('heartbeat');

@Controller('session')
export class SessionController {
  constructor(private readonly sessions: SessionService) {}

  @Post()
  @UseGuards(JwtAuthGuard)
  create(@Req() req: { tenant: string }, @Body() body: { ttlSeconds?: number } | undefined) {
    return toJson(this.sessions.create(req.tenant, body?.ttlSeconds));
  }

  @Get(':id')
  @UseGuards(JwtAuthGuard)
  get(@Req() req: { tenant: string }, @Param('id') id: string) {
    return toJson(this.sessions.get(req.tenant, id));
  }

  @Patch(':id')
  @UseGuards(JwtAuthGuard)
  patch(@Req() req: { tenant: string }, @Param('id') id: string, @Body() body: { status?: string }) {
    return toJson(this.sessions.setStatus(req.tenant, id, String(body?.status)));
  }

  // The token comes in the query because EventSource cannot send headers.
  @Sse(':id/events')
  async events(@Param('id') id: string, @Query('token') token: string | undefined,
               @Headers('authorization') authorization: string | undefined):
      Promise<Observable<MessageEvent>> {
    const tenant = await verifyToken(bearer(authorization) ?? token);
    this.sessions.get(tenant, id);  // 404 before the stream starts
    return defer(() => {
      // Subscribed in the same tick as the snapshot is read: no change can fall in between.
      const current = { ...this.sessions.get(tenant, id) };
      const updates = this.sessions.changes$.pipe(filter((s) => s.id === id));
      return merge(concat(of(current), updates),
                   interval(config.heartbeatMs).pipe(map(() => HEARTBEAT)));
    }).pipe(
      takeWhile((item) => item === HEARTBEAT || !TERMINAL.has((item as Session).status), true),
      map((item, index): MessageEvent => {
        if (item === HEARTBEAT) return { comment: 'keep-alive' } as MessageEvent;
        const s = item as Session;
        const data = { id: s.id, status: s.status, updatedAt: s.updatedAt };
        return index === 0 ? { id: String(s.version), retry: 3000, data }
                           : { id: String(s.version), data };
      }),
    );
  }
}
