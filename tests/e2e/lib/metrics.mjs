// Reads /metrics and checks it is Prometheus text exposition format. The metric
// names are not in the contract, only what they count, so tests find them by pattern.
import assert from 'node:assert/strict';
import { request } from './http.mjs';

export const OPEN_STREAMS = /open.*stream|stream.*open/i;
export const EVENTS_SENT = /event.*sent|sent.*event/i;
export const AUTH_FAILURES = /auth.*fail|unauthori/i;

export function parsePrometheus(text) {
  const samples = [];
  const types = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/.exec(line);
      if (line.startsWith('# HELP') || line.startsWith('# TYPE')) assert.ok(m, `bad comment line: ${line}`);
      if (m && m[1] === 'TYPE') {
        assert.match(m[3] ?? '', /^(counter|gauge|histogram|summary|untyped)$/, line);
        types[m[2]] = m[3];
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?(?:[0-9.]+(?:[eE][+-]?[0-9]+)?|NaN|\+Inf|-Inf))(?: -?[0-9]+)?$/.exec(line);
    assert.ok(m, `bad sample line: ${JSON.stringify(line)}`);
    const labels = {};
    if (m[3]) {
      for (const lm of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]] = lm[2];
    }
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return { samples, types };
}

export async function metrics(srv) {
  const r = await request(srv, 'GET', srv.p('/metrics'));
  assert.equal(r.status, 200, `/metrics -> ${r.status}`);
  assert.match(r.headers['content-type'] ?? '', /^text\/plain/, 'Prometheus text format content type');
  return parsePrometheus(r.text);
}

// The sum of the samples whose name matches re and whose labels include `labels`.
// When a declared TYPE is given, samples of other types are left out, so a counter of
// opened streams is not mistaken for the gauge of open ones.
export function pick(m, re, what, labels = {}, type = undefined) {
  const typeOf = (name) => m.types[name] ?? m.types[name.replace(/_total$/, '')];
  let found = m.samples.filter((s) => re.test(s.name) && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (type) found = found.filter((s) => typeOf(s.name) === undefined || typeOf(s.name) === type);
  assert.ok(found.length > 0, `no ${what} metric (${re}) in ${JSON.stringify([...new Set(m.samples.map((s) => s.name))])}`);
  return found.reduce((a, s) => a + s.value, 0);
}

// Polls until the open-streams gauge equals `expected` (the server may notice a
// closed connection a moment after the client does).
export async function waitOpenStreams(srv, expected, timeoutMs) {
  const start = Date.now();
  let value;
  for (;;) {
    value = pick(await metrics(srv), OPEN_STREAMS, 'open streams', {}, 'gauge');
    if (value === expected || Date.now() - start > timeoutMs) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
