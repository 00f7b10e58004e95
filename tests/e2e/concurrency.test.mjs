// 1,000 simultaneous subscribers on 1,000 distinct sessions, every session driven to
// a terminal status; plus the release of subscribers that go away. Raw sockets keep
// the client side light enough to share two cores with the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { createSession, getToken, openSse, patchStatus, sleep } from './lib/http.mjs';
import { assertEvents, assertRetryFirst, assertStreamHeaders } from './lib/contract_checks.mjs';
import { waitOpenStreams } from './lib/metrics.mjs';

const SUBSCRIBERS = 1000;
const RSS_SLACK_KIB = 20 * 1024;

// Runs fn over items with at most `width` in flight.
async function pool(items, width, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

const PLANS = [
  { end: 'completed', steps: ['fetched', 'completed'] },
  { end: 'failed', steps: ['fetched', 'failed'] },
  { end: 'failed', steps: ['failed'] },
  { end: 'completed', steps: ['completed'] },
  { end: 'expired', steps: ['fetched'] },
];

async function lifecycle(srv, token, n, { ttlSeconds }) {
  // Plan per session: the statuses the test sets, and the expected event sequence.
  const jobs = Array.from({ length: n }, (_, i) => ({ plan: PLANS[i % PLANS.length] }));
  const t0 = Date.now();
  await pool(jobs, 32, async (job) => {
    job.session = await createSession(srv, token, job.plan.end === 'expired' ? { ttlSeconds } : undefined);
  });
  const created = Date.now();
  // Subscribe in waves so the accept queue is never the bottleneck being measured.
  for (let i = 0; i < jobs.length; i += 100) {
    const wave = jobs.slice(i, i + 100);
    for (const job of wave) job.sse = openSse(srv, job.session.id, token);
    await Promise.all(wave.map((job) => job.sse.waitEvents(1, 10000)));
  }
  const subscribed = Date.now();
  const rssOpen = srv.rssKiB();
  // Drive every session; each step waits for the subscriber to see the previous one,
  // so nothing may legitimately be coalesced and every event must arrive.
  await pool(jobs, 64, async (job) => {
    for (const [k, status] of job.plan.steps.entries()) {
      const res = await patchStatus(srv, token, job.session.id, status);
      assert.equal(res.status, 200, `PATCH ${status} on ${job.session.id}: ${res.status} ${res.text}`);
      await job.sse.waitEvents(k + 2, 10000);
    }
  });
  const driven = Date.now();
  await Promise.all(jobs.map((job) => job.sse.waitEnd(ttlSeconds * 1000 + 10000)));
  const ended = Date.now();
  return { jobs, rssOpen, timings: { create: created - t0, subscribe: subscribed - created, drive: driven - subscribed, end: ended - driven } };
}

function checkJob(job) {
  const statuses = ['active', ...job.plan.steps];
  if (job.plan.end === 'expired') statuses.push('expired');
  assertStreamHeaders(job.sse.head);
  assertRetryFirst(job.sse, 3000);
  assertEvents(
    job.sse.events,
    job.session.id,
    statuses.map((status, i) => ({ id: String(i + 1), status })),
  );
  assert.ok(['eof', 'chunked'].includes(job.sse.endedHow), `ended: ${job.sse.endedHow}`);
}

test(`${SUBSCRIBERS} simultaneous subscribers each get their full sequence, all streams end, RSS returns near its start`, async (t) => {
  const srv = await startServer([]);
  try {
    const token = await getToken(srv);
    // Warm up allocator pools and lazily created structures before the baseline.
    await lifecycle(srv, token, 50, { ttlSeconds: 2 }).then(({ jobs }) => jobs.forEach((j) => j.sse.close()));
    await sleep(1000);
    const rssStart = srv.rssKiB();

    const { jobs, timings, rssOpen } = await lifecycle(srv, token, SUBSCRIBERS, { ttlSeconds: 5 });
    const failures = [];
    for (const job of jobs) {
      try {
        checkJob(job);
      } catch (e) {
        failures.push(`${job.session.id} (${job.plan.steps.join('>')}): ${e.message.split('\n')[0]}`);
      }
    }
    const byEnd = {};
    for (const job of jobs) byEnd[job.plan.end] = (byEnd[job.plan.end] ?? 0) + 1;
    for (const job of jobs) job.sse.close();
    const open = await waitOpenStreams(srv, 0, 5000);
    await sleep(1500);
    const rssEnd = srv.rssKiB();
    const report = `terminal mix ${JSON.stringify(byEnd)}; timings ms ${JSON.stringify(timings)}; ` +
      `VmRSS start ${rssStart} KiB, with ${SUBSCRIBERS} streams open ${rssOpen} KiB, after close ${rssEnd} KiB ` +
      `(delta ${rssEnd - rssStart} KiB)`;
    t.diagnostic(report);
    console.log(`# concurrency: ${report}`);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${SUBSCRIBERS} subscribers deviated`);
    assert.equal(open, 0, 'open streams gauge back to 0');
    assert.ok(rssEnd <= rssStart + RSS_SLACK_KIB, `RSS after close ${rssEnd} KiB > start ${rssStart} KiB + ${RSS_SLACK_KIB} KiB`);
  } finally {
    await srv.stop();
  }
  srv.assertNoSecretsInLogs();
});

test('subscribers that go away are released within a heartbeat', async () => {
  const srv = await startServer(['--heartbeat', '1']);
  try {
    const token = await getToken(srv);
    const streams = [];
    for (let i = 0; i < 200; i++) {
      const s = await createSession(srv, token);
      streams.push(openSse(srv, s.id, token));
    }
    await Promise.all(streams.map((x) => x.waitEvents(1, 5000)));
    assert.equal(await waitOpenStreams(srv, 200, 2000), 200, 'all 200 counted as open');
    for (const x of streams) x.socket.destroy();
    const left = await waitOpenStreams(srv, 0, 2500);
    assert.equal(left, 0, `${left} streams still held 2.5 s after their clients left (heartbeat 1 s)`);
  } finally {
    await srv.stop();
  }
  srv.assertNoSecretsInLogs();
});
