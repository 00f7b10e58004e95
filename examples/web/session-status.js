// session-status.js: follow one EUDIPLO-style session's status from a browser.
//
// Copy this file into your frontend (an ES module, no dependencies). It talks to
// the endpoints of the eudiplo_sse contract:
//   GET  {base}/session/{id}/events?token=JWT     the Server-Sent Events stream
//   POST {base}/session/{id}/events-token         a token bound to this one session (optional)
//   GET  {base}/session/{id}                      the polling fallback
//
//   import { watchSessionStatus } from './session-status.js';
//   const watch = watchSessionStatus({
//     sessionId,
//     getAccessToken: async () => token,          // your backend's token, refreshed by you
//     onStatus: ({ status, version, updatedAt }) => render(status),
//     onState: (state) => showConnection(state),  // connecting | open | reconnecting | polling | closed
//   });
//   watch.close();                                // when the page no longer cares
//
// What it does, and why:
// - Every status is handed over once, in order: events carry the session version as
//   their id, and anything not newer than the last version seen is dropped. That
//   matters because a browser cannot set Last-Event-ID on a new EventSource: the
//   browser's own reconnects (same EventSource) send it, but after we open a new
//   EventSource (fresh token) the server starts again with the current status,
//   which may be one we already showed.
// - On a terminal status (completed, failed, expired) the stream is closed at once,
//   so the browser never reconnects to a finished session.
// - The server ends the stream when its token expires. The browser would reconnect
//   with the same, expired URL and get 401, so instead we close that EventSource,
//   get a fresh token and open a new one. A status that changed in between arrives
//   as the new stream's first event: nothing is lost.
// - Where the server offers it, the stream is opened with a session-scoped token
//   (POST .../events-token): a token that can only watch this session is what
//   should end up in a URL, browser history and proxy logs, not your access token.
// - Where EventSource is missing, or the stream keeps failing, it polls
//   GET /session/{id} instead.

const TERMINAL = new Set(['completed', 'failed', 'expired']);

/** Connection states reported through onState. */
export const State = Object.freeze({
  connecting: 'connecting', // first stream being opened
  open: 'open', // stream open, events arrive as they happen
  reconnecting: 'reconnecting', // stream lost (or its token expired), opening again
  polling: 'polling', // no usable EventSource: asking GET /session/{id} periodically
  closed: 'closed', // terminal status seen, or close() called
});

export function isTerminal(status) {
  return TERMINAL.has(status);
}

// The `exp` of a JWT in milliseconds, or null. Read only to know when the server
// will end the stream; the server verifies the token, the browser cannot and need not.
export function tokenExpiresAt(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const exp = JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '='))).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * Follows the status of one session until it is terminal or close() is called.
 *
 * @param {object} o
 * @param {string} o.sessionId
 * @param {() => Promise<string>} o.getAccessToken  a valid Bearer token for the session API;
 *        called again whenever a fresh one is needed, so it should renew an expired one
 * @param {string} [o.baseUrl='']        origin and base path of the API, e.g. '/api'
 * @param {(s: {status: string, version: number, updatedAt: string}) => void} [o.onStatus]
 * @param {(state: string, detail?: string) => void} [o.onState]
 * @param {(kind: 'session' | 'access') => void} [o.onStreamToken] which token a new stream uses
 * @param {boolean} [o.sessionToken=true] ask for a session-scoped stream token first
 * @param {number} [o.maxStreamFailures=3] consecutive stream failures before polling
 * @param {number} [o.pollIntervalMs=2000]
 * @returns {SessionStatusWatch}
 */
export function watchSessionStatus(o) {
  return new SessionStatusWatch(o);
}

export class SessionStatusWatch {
  #o;
  #sessionPath;
  #ES = globalThis.EventSource; // read now: a test or an old browser may lack it
  #state = null;
  #transport;
  #lastVersion = 0;
  #failures = 0;
  #es = null;
  #streamTokenExpiresAt = null;
  #sessionTokenOffered;
  #timer = null;
  #stopped = false;

  constructor(o) {
    this.#o = o;
    this.#sessionPath = `${o.baseUrl ?? ''}/session/${encodeURIComponent(o.sessionId)}`;
    this.#sessionTokenOffered = o.sessionToken ?? true;
    this.#transport = this.#ES ? 'eventsource' : 'polling';
    if (this.#ES) this.#openStream();
    else this.#startPolling('EventSource is not available');
  }

  /** Stops following: closes the stream or stops polling. */
  close() {
    this.#stop(State.closed);
  }

  /** One of State. */
  state() {
    return this.#state;
  }

  /** 'eventsource' or 'polling'. */
  transport() {
    return this.#transport;
  }

  #setState(next, detail) {
    if (this.#state === next && !detail) return;
    this.#state = next;
    this.#o.onState?.(next, detail);
  }

  #stop(finalState) {
    this.#stopped = true;
    this.#es?.close();
    this.#es = null;
    clearTimeout(this.#timer);
    this.#setState(finalState);
  }

  // The single entry point for every status, whatever transport brought it.
  #deliver(status, version, updatedAt) {
    if (this.#stopped || !(version > this.#lastVersion)) return; // seen already (see the top comment)
    this.#lastVersion = version;
    this.#o.onStatus?.({ status, version, updatedAt });
    if (isTerminal(status)) this.#stop(State.closed);
  }

  // The token for the stream URL: session-scoped when the server offers it, else the
  // access token itself.
  async #streamToken() {
    const access = await this.#o.getAccessToken();
    if (this.#sessionTokenOffered) {
      const r = await fetch(`${this.#sessionPath}/events-token`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${access}` },
      });
      if (r.status === 201) {
        this.#o.onStreamToken?.('session');
        return (await r.json()).access_token;
      }
      // 404/405: a server without the route (an unknown session also ends here, and
      // the stream then reports it); 409: the session is past its expiry, and only
      // the access token can still read its final status.
      if (r.status === 404 || r.status === 405 || r.status === 409) this.#sessionTokenOffered = false;
      else throw new Error(`events-token: HTTP ${r.status}`);
    }
    this.#o.onStreamToken?.('access');
    return access;
  }

  #tokenExpired() {
    return this.#streamTokenExpiresAt !== null && Date.now() >= this.#streamTokenExpiresAt - 2000;
  }

  async #openStream() {
    this.#setState(this.#lastVersion === 0 && this.#failures === 0 ? State.connecting : State.reconnecting);
    let token;
    try {
      token = await this.#streamToken();
    } catch (e) {
      this.#streamFailed(String(e));
      return;
    }
    if (this.#stopped) return;
    this.#streamTokenExpiresAt = tokenExpiresAt(token);
    const source = new this.#ES(`${this.#sessionPath}/events?token=${encodeURIComponent(token)}`);
    this.#es = source;
    source.onopen = () => {
      this.#failures = 0;
      this.#setState(State.open);
    };
    source.onmessage = (e) => {
      this.#failures = 0;
      const data = JSON.parse(e.data);
      this.#deliver(data.status, Number(e.lastEventId), data.updatedAt);
    };
    source.onerror = () => this.#onStreamError(source);
  }

  #onStreamError(source) {
    if (this.#stopped || this.#es !== source) return;
    if (this.#tokenExpired()) {
      // The server ended the stream because the token expired: not a failure.
      source.close();
      this.#openStream();
    } else if (source.readyState === this.#ES.CLOSED) {
      // The browser gave up (an HTTP error such as 401 or 502): we decide what next.
      source.close();
      this.#streamFailed('the stream was refused');
    } else {
      // The browser reconnects by itself (with Last-Event-ID) after `retry`.
      this.#failures += 1;
      if (this.#failures >= (this.#o.maxStreamFailures ?? 3)) {
        source.close();
        this.#startPolling('the stream keeps failing');
      } else {
        this.#setState(State.reconnecting);
      }
    }
  }

  #streamFailed(why) {
    this.#failures += 1;
    this.#es = null;
    if (this.#failures >= (this.#o.maxStreamFailures ?? 3)) {
      this.#startPolling(why);
      return;
    }
    this.#setState(State.reconnecting, why);
    // Back off: 2 s, 4 s, ... at most 10 s.
    this.#timer = setTimeout(() => this.#openStream(), Math.min(1000 * 2 ** this.#failures, 10000));
  }

  async #poll() {
    if (this.#stopped) return;
    try {
      const r = await fetch(this.#sessionPath, {
        headers: { Authorization: `Bearer ${await this.#o.getAccessToken()}` },
        cache: 'no-store',
      });
      if (r.ok) {
        const s = await r.json();
        this.#deliver(s.status, s.version, s.updatedAt);
      }
    } catch {
      // Network trouble: the next round tries again.
    }
    if (!this.#stopped) this.#timer = setTimeout(() => this.#poll(), this.#o.pollIntervalMs ?? 2000);
  }

  #startPolling(why) {
    this.#transport = 'polling';
    this.#es = null;
    this.#setState(State.polling, why);
    this.#poll();
  }
}
