import { randomUUID } from 'node:crypto';
import {
  BadRequestException, ConflictException, Injectable, NotFoundException,
} from '@nestjs/common';
import { Subject } from 'rxjs';
import { config } from './config';

export const STATUSES = ['active', 'fetched', 'completed', 'expired', 'failed'] as const;
export type Status = (typeof STATUSES)[number];
export const TERMINAL = new Set<Status>(['completed', 'expired', 'failed']);

export interface Session {
  id: string;
  tenant: string;
  status: Status;
  version: number;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

export function toJson(s: Session) {
  return { id: s.id, status: s.status, version: s.version, createdAt: s.createdAt,
           updatedAt: s.updatedAt, expiresAt: s.expiresAt };
}

@Injectable()
export class SessionService {
  private readonly sessions = new Map<string, Session>();
  // One Subject for every change of every session; each stream filters it by session id,
  // which is how EUDIPLO's SessionEventsService fans status changes out.
  readonly changes$ = new Subject<Session>();

  create(tenant: string, ttlSeconds?: number): Session {
    const now = new Date();
    const ttl = ttlSeconds ?? config.sessionTtlSeconds;
    const s: Session = {
      id: randomUUID(), tenant, status: 'active', version: 1,
      createdAt: now.toISOString(), updatedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
    };
    this.sessions.set(s.id, s);
    return s;
  }

  get(tenant: string, id: string): Session {
    const s = this.sessions.get(id);
    if (!s || s.tenant !== tenant) throw new NotFoundException('session not found');
    return s;
  }

  setStatus(tenant: string, id: string, status: string): Session {
    const s = this.get(tenant, id);
    if (!(STATUSES as readonly string[]).includes(status)) {
      throw new BadRequestException('unknown status');
    }
    if (status === s.status) return s;
    if (TERMINAL.has(s.status)) throw new ConflictException('session is terminal');
    s.status = status as Status;
    s.version += 1;
    s.updatedAt = new Date().toISOString();
    this.changes$.next({ ...s });
    return s;
  }
}
