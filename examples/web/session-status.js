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
 * @returns {{close: () => void, state: () => string, transport: () => string}}
 */
export function watchSessionStatus(o) {
  const base = o.baseUrl ?? '';
  const sessionPath = `${base}/session/${encodeURIComponent(o.sessionId)}`;
  const maxFailures = o.maxStreamFailures ?? 3;
  const pollInterval = o.pollIntervalMs ?? 2000;
  const ES = globalThis.EventSource; // read at call time: a test or old browser may lack it

  let state = null;
  let transport = ES ? 'eventsource' : 'polling';
  let lastVersion = 0;
  let failures = 0;
  let es = null;
  let streamTokenExpiresAt = null;
  let sessionTokenOffered = o.sessionToken ?? true;
  let timer = null;
  let stopped = false;

  const setState = (next, detail) => {
    if (state === next && !detail) return;
    state = next;
    o.onState?.(next, detail);
  };

  const stop = (finalState) => {
    stopped = true;
    es?.close();
    es = null;
    clearTimeout(timer);
    setState(finalState);
  };

  // The single entry point for every status, whatever transport brought it.
  const deliver = (status, version, updatedAt) => {
    if (stopped || !(version > lastVersion)) return; // seen already (see the top comment)
    lastVersion = version;
    o.onStatus?.({ status, version, updatedAt });
    if (isTerminal(status)) stop(State.closed);
  };

  // The token for the stream URL: session-scoped when the server offers it, else the
  // access token itself.
  const streamToken = async () => {
    const access = await o.getAccessToken();
    if (sessionTokenOffered) {
      const r = await fetch(`${sessionPath}/events-token`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${access}` },
      });
      if (r.status === 201) {
        o.onStreamToken?.('session');
        return (await r.json()).access_token;
      }
      // 404/405: a server without the route (an unknown session also ends here, and
      // the stream then reports it); 409: the session is past its expiry, and only
      // the access token can still read its final status.
      if (r.status === 404 || r.status === 405 || r.status === 409) sessionTokenOffered = false;
      else throw new Error(`events-token: HTTP ${r.status}`);
    }
    o.onStreamToken?.('access');
    return access;
  };

  const tokenExpired = () => streamTokenExpiresAt !== null && Date.now() >= streamTokenExpiresAt - 2000;

  const openStream = async () => {
    setState(lastVersion === 0 && failures === 0 ? State.connecting : State.reconnecting);
    let token;
    try {
      token = await streamToken();
    } catch (e) {
      return streamFailed(String(e));
    }
    if (stopped) return;
    streamTokenExpiresAt = tokenExpiresAt(token);
    const source = new ES(`${sessionPath}/events?token=${encodeURIComponent(token)}`);
    es = source;
    source.onopen = () => {
      failures = 0;
      setState(State.open);
    };
    source.onmessage = (e) => {
      failures = 0;
      const data = JSON.parse(e.data);
      deliver(data.status, Number(e.lastEventId), data.updatedAt);
    };
    source.onerror = () => {
      if (stopped || es !== source) return;
      if (tokenExpired()) {
        // The server ended the stream because the token expired: not a failure.
        source.close();
        openStream();
      } else if (source.readyState === ES.CLOSED) {
        // The browser gave up (an HTTP error such as 401 or 404): we decide what next.
        source.close();
        streamFailed('the stream was refused');
      } else {
        // The browser reconnects by itself (with Last-Event-ID) after `retry`.
        failures += 1;
        if (failures >= maxFailures) {
          source.close();
          startPolling('the stream keeps failing');
        } else {
          setState(State.reconnecting);
        }
      }
    };
  };

  const streamFailed = (why) => {
    failures += 1;
    es = null;
    if (failures >= maxFailures) return startPolling(why);
    setState(State.reconnecting, why);
    timer = setTimeout(openStream, Math.min(1000 * 2 ** failures, 10000));
  };

  const poll = async () => {
    if (stopped) return;
    try {
      const r = await fetch(sessionPath, {
        headers: { Authorization: `Bearer ${await o.getAccessToken()}` },
        cache: 'no-store',
      });
      if (r.ok) {
        const s = await r.json();
        deliver(s.status, s.version, s.updatedAt);
      }
    } catch {
      // Network trouble: the next round tries again.
    }
    if (!stopped) timer = setTimeout(poll, pollInterval);
  };

  const startPolling = (why) => {
    transport = 'polling';
    es = null;
    setState(State.polling, why);
    poll();
  };

  if (ES) openStream();
  else startPolling('EventSource is not available');

  return {
    close: () => stop(State.closed),
    state: () => state,
    transport: () => transport,
  };
}
