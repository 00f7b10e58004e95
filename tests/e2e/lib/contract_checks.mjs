// Assertions that spell out contract section 3 once, shared by the test files.
import assert from 'node:assert/strict';

export const ISO_MS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const TERMINAL = new Set(['completed', 'expired', 'failed']);
const REASON = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' };

// res: { status, headers (lower-case names), body | text }.
export function assertErrorResponse(res, status, { secrets = [], what = '' } = {}) {
  const body = res.body ?? res.text ?? '';
  const label = `${what} -> ${res.status} ${body}`;
  assert.equal(res.status, status, label);
  assert.match(res.headers['content-type'] ?? '', /^application\/json\b/i, `${label}: content-type`);
  assert.doesNotMatch(res.headers['content-type'] ?? '', /event-stream/, `${label}: no stream on refusal`);
  let json;
  assert.doesNotThrow(() => {
    json = JSON.parse(body);
  }, `${label}: body is JSON`);
  assert.deepEqual(Object.keys(json).sort(), ['error', 'message', 'statusCode'], `${label}: body fields`);
  assert.equal(json.statusCode, status, `${label}: statusCode`);
  if (REASON[status]) assert.equal(json.error, REASON[status], `${label}: error`);
  assert.equal(typeof json.message, 'string', `${label}: message`);
  if (status === 401) {
    assert.match(res.headers['www-authenticate'] ?? '', /^Bearer\b/, `${label}: WWW-Authenticate: Bearer`);
  }
  assertNoSecrets(body, secrets, label);
  for (const [name, value] of Object.entries(res.headers)) assertNoSecrets(String(value), secrets, `${label}: header ${name}`);
  return json;
}

export function assertNoSecrets(text, secrets, label = '') {
  for (const s of secrets) {
    if (!s) continue;
    assert.ok(!text.includes(s), `${label}: contains the token`);
    const sig = s.split('.')[2];
    if (sig && sig.length >= 16) assert.ok(!text.includes(sig), `${label}: contains the token signature`);
  }
}

export function assertStreamHeaders(head) {
  assert.equal(head.status, 200, 'stream status');
  const h = head.headers;
  assert.match(h['content-type'] ?? '', /^text\/event-stream\s*(;|$)/i, `Content-Type: ${h['content-type']}`);
  const cc = (h['cache-control'] ?? '').toLowerCase().split(',').map((s) => s.trim());
  for (const directive of ['no-cache', 'no-store', 'private']) {
    assert.ok(cc.includes(directive), `Cache-Control must contain ${directive}: got "${h['cache-control']}"`);
  }
  assert.equal((h['x-accel-buffering'] ?? '').toLowerCase(), 'no', 'X-Accel-Buffering: no');
  assert.equal(h['content-length'], undefined, 'a stream has no Content-Length');
}

// The events of one stream: data is exactly {"id","status","updatedAt"} in that order,
// ids are the versions (strictly increasing), the type is "message".
export function assertEvents(events, sessionId, expected) {
  const seen = events.map((e) => {
    const d = JSON.parse(e.data);
    return { id: e.idField, status: d.status };
  });
  assert.deepEqual(seen, expected, 'events (id, status) in order');
  let lastUpdated = '';
  for (const e of events) {
    assert.equal(e.type, 'message', 'event type (an `event:` line, if any, must be "message")');
    assert.ok(!e.data.includes('\n'), 'data is one line of JSON');
    const d = JSON.parse(e.data);
    assert.deepEqual(Object.keys(d), ['id', 'status', 'updatedAt'], `data fields in order: ${e.data}`);
    assert.equal(d.id, sessionId, 'data.id is the session id');
    assert.match(d.updatedAt, ISO_MS_Z, 'updatedAt is ISO-8601 with milliseconds and Z');
    assert.ok(d.updatedAt >= lastUpdated, 'updatedAt never goes back');
    lastUpdated = d.updatedAt;
  }
}

// `retry:` is the first thing in the stream, then events; returns the events.
export function assertRetryFirst(sse, retryMs) {
  assert.ok(sse.records.length > 0, 'stream has records');
  assert.deepEqual({ kind: sse.records[0].kind, value: sse.records[0].value }, { kind: 'retry', value: retryMs }, 'first record is retry');
  assert.equal(sse.records.filter((r) => r.kind === 'retry').length, 1, 'one retry field');
  assert.deepEqual(sse.records.filter((r) => r.kind === 'ignored'), [], 'no unknown fields');
  assert.ok(!sse.parser.sawBom, 'no BOM');
  assert.deepEqual(sse.errors, [], 'no transport or UTF-8 errors');
}
