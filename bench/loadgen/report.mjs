// Turns the JSON files of eudiplo_sse_loadgen (one array of scenario objects per file) into
// the Markdown comparison of bench/results/<date>.md: one column per server, ratios against
// ours, the issue's aims marked met or not, and every problem or contract deviation seen.
//
//   node bench/loadgen/report.mjs --out RESULT.md --json ALL.json --machine MACHINE.txt \
//        --command "bench/run.sh" file.json...
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opts = { files: [] };
for (let i = 0; i < args.length; ++i) {
  const a = args[i];
  if (a === '--out' || a === '--json' || a === '--machine' || a === '--command' || a === '--title') {
    opts[a.slice(2)] = args[++i];
  } else {
    opts.files.push(a);
  }
}

const results = [];
for (const file of opts.files) {
  try {
    results.push(...JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    console.error(`report: skipping ${file}: ${err.message}`);
  }
}
if (opts.json) writeFileSync(opts.json, JSON.stringify(results, null, 1) + '\n');

const OURS = 'eudiplo_sse';
const BARE = 'bare_epoll';
const preferred = [OURS, BARE, 'express_better_sse', 'nestjs'];
const rank = (server) => (preferred.includes(server) ? preferred.indexOf(server) : preferred.length);
const servers = [...new Set(results.map((r) => r.server))].sort((a, b) => rank(a) - rank(b));
const find = (server, scenario) => results.find((r) => r.server === server && r.scenario === scenario);
const get = (obj, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);

// [label, scenario, metric path, unit, better ('lower'|'higher'|null), scale]
const ROWS = [
  ['Idle: RSS per open stream', 'idle', 'metrics.rss_bytes_per_stream', 'B', 'lower'],
  ['Idle: RSS per stream after the idle window', 'idle', 'metrics.rss_bytes_per_stream_after_idle', 'B', 'lower'],
  ['Idle: streams held', 'idle', 'metrics.streams_open_at_end', '', 'higher'],
  ['Idle: server CPU while idle (15 s heartbeat)', 'idle', 'metrics.idle_cpu_ms_per_s', 'ms/s', 'lower'],
  ['Idle: heartbeats received in the window', 'idle', 'metrics.heartbeats_received', '', null],
  ['Admission HS256: new streams per second', 'admission_hs256', 'metrics.admissions_per_s', '/s', 'higher'],
  ['Admission HS256: connect to first event p50', 'admission_hs256', 'metrics.connect_to_first_event.p50_us', 'us', 'lower'],
  ['Admission HS256: connect to first event p99', 'admission_hs256', 'metrics.connect_to_first_event.p99_us', 'us', 'lower'],
  ['Admission HS256: server CPU per admission', 'admission_hs256', 'metrics.server_cpu_us_per_admission', 'us', 'lower'],
  ['Admission ES256: new streams per second', 'admission_es256', 'metrics.admissions_per_s', '/s', 'higher'],
  ['Admission ES256: connect to first event p50', 'admission_es256', 'metrics.connect_to_first_event.p50_us', 'us', 'lower'],
  ['Admission ES256: connect to first event p99', 'admission_es256', 'metrics.connect_to_first_event.p99_us', 'us', 'lower'],
  ['Admission ES256: server CPU per admission', 'admission_es256', 'metrics.server_cpu_us_per_admission', 'us', 'lower'],
  ['Admission ES256, token reused by 100 reconnects: new streams per second', 'admission_es256_reuse', 'metrics.admissions_per_s', '/s', 'higher'],
  ['Admission ES256, token reused: connect to first event p99', 'admission_es256_reuse', 'metrics.connect_to_first_event.p99_us', 'us', 'lower'],
  ['Admission ES256, token reused: server CPU per admission', 'admission_es256_reuse', 'metrics.server_cpu_us_per_admission', 'us', 'lower'],
  ['Burst 10k: drain time (first PATCH to last event)', 'burst', 'metrics.drain_seconds', 's', 'lower'],
  ['Burst 10k: PATCH to event p50', 'burst', 'metrics.patch_to_event.p50_us', 'us', 'lower'],
  ['Burst 10k: PATCH to event p99', 'burst', 'metrics.patch_to_event.p99_us', 'us', 'lower'],
  ['Burst 10k: PATCH to event p99.9', 'burst', 'metrics.patch_to_event.p999_us', 'us', 'lower'],
  ['Burst 10k: PATCH to event max', 'burst', 'metrics.patch_to_event.max_us', 'us', 'lower'],
  ['Burst 10k: server CPU per delivered event', 'burst', 'metrics.server_cpu_us_per_event', 'us', 'lower'],
  ['Burst 10k: events lost', 'burst', 'metrics.events_lost', '', 'lower'],
  ['Sustained: status changes sent', 'sustained', 'metrics.changes_sent', '', 'higher'],
  ['Sustained: events delivered per second', 'sustained', 'metrics.delivered_per_s', '/s', 'higher'],
  ['Sustained: PATCH to event p50', 'sustained', 'metrics.patch_to_event.p50_us', 'us', 'lower'],
  ['Sustained: PATCH to event p99', 'sustained', 'metrics.patch_to_event.p99_us', 'us', 'lower'],
  ['Sustained: PATCH to event p99.9', 'sustained', 'metrics.patch_to_event.p999_us', 'us', 'lower'],
  ['Sustained: PATCH to event max', 'sustained', 'metrics.patch_to_event.max_us', 'us', 'lower'],
  ['Sustained: server CPU per delivered event', 'sustained', 'metrics.server_cpu_us_per_event', 'us', 'lower'],
  ['Sustained: server CPU utilisation', 'sustained', 'metrics.server_cpu_utilisation', '', 'lower'],
  ['Sustained: events lost', 'sustained', 'metrics.events_lost', '', 'lower'],
  ['Churn: connect/first event/disconnect cycles per second', 'churn', 'metrics.cycles_per_s', '/s', 'higher'],
  ['Churn: server CPU per cycle', 'churn', 'metrics.server_cpu_us_per_cycle', 'us', 'lower'],
  ['Churn: RSS at start (after warm-up)', 'churn', 'metrics.rss_kib_start', 'KiB', null],
  ['Churn: RSS at end', 'churn', 'metrics.rss_kib_end', 'KiB', null],
  ['Churn: RSS growth', 'churn', 'metrics.rss_growth_percent', '%', 'lower'],
];

function fmt(v, unit) {
  if (v == null || Number.isNaN(v)) return 'n/a';
  let s;
  const a = Math.abs(v);
  if (a >= 100000) s = Math.round(v).toLocaleString('en-US');
  else if (a >= 100) s = v.toFixed(0);
  else if (a >= 10) s = v.toFixed(1);
  else if (a >= 1) s = v.toFixed(2);
  else s = v.toPrecision(2);
  return unit ? `${s} ${unit}` : s;
}

// How many times better ours is than `peer` (>1: ours better).
function advantage(ours, peer, better) {
  if (ours == null || peer == null || !better) return undefined;
  if (better === 'lower') return ours > 0 ? peer / ours : undefined;
  return peer > 0 ? ours / peer : undefined;
}
const fmtRatio = (r) => (r === undefined || !Number.isFinite(r) ? '' : `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}x`);

const peers = servers.filter((s) => s !== OURS);
const lines = [];
lines.push(`# ${opts.title ?? 'Load benchmark results'}`, '');
if (opts.machine) lines.push('## Machine', '', '```', readFileSync(opts.machine, 'utf8').trim(), '```', '');
if (opts.command) lines.push(`Command: \`${opts.command}\``, '');
lines.push('## Results', '');
lines.push('Ratios say how many times better eudiplo_sse is than the peer on that row '
  + '(above 1: ours is better). Lower is better for times, memory and CPU; higher for rates.', '');
lines.push(`| metric | ${servers.join(' | ')} | ${peers.map((p) => `${OURS} vs ${p}`).join(' | ')} |`);
lines.push(`|---|${servers.map(() => '---:').join('|')}|${peers.map(() => '---:').join('|')}|`);
for (const [label, scenario, path, unit, better] of ROWS) {
  const values = servers.map((s) => get(find(s, scenario), path));
  if (values.every((v) => v == null)) continue;
  const ours = get(find(OURS, scenario), path);
  const ratios = peers.map((p) => fmtRatio(advantage(ours, get(find(p, scenario), path), better)));
  // A rate reached while the load generator used most of its core may be its limit, not the
  // server's: mark it as a lower bound.
  const cells = servers.map((s, i) => {
    const lg = get(find(s, scenario), 'server_process.loadgen_cpu_utilisation');
    const bound = unit === '/s' && lg != null && lg > 0.85;
    return fmt(values[i], unit) + (bound ? ' (loadgen-bound)' : '');
  });
  lines.push(`| ${label} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
}
lines.push('');

// The aims of issue 6.
const aims = [];
const oursIdle = get(find(OURS, 'idle'), 'metrics.rss_bytes_per_stream');
if (oursIdle != null) aims.push(['Per idle stream at most 2 KiB of server memory', `${fmt(oursIdle, 'B')}`, oursIdle <= 2048]);
const tenX = (label, scenario, path, better) => {
  const ours = get(find(OURS, scenario), path);
  const nest = get(find('nestjs', scenario), path);
  const r = advantage(ours, nest, better);
  if (r !== undefined) aims.push([label, `${fmtRatio(r)} (ours ${fmt(ours)}, NestJS ${fmt(nest)})`, r >= 10]);
};
tenX('Admission HS256 at least 10x the NestJS peer', 'admission_hs256', 'metrics.admissions_per_s', 'higher');
tenX('Admission ES256 at least 10x the NestJS peer', 'admission_es256', 'metrics.admissions_per_s', 'higher');
tenX('(Admission ES256 with tokens reused by reconnects, 10x NestJS)', 'admission_es256_reuse', 'metrics.admissions_per_s', 'higher');
tenX('Burst drain at least 10x faster than the NestJS peer', 'burst', 'metrics.drain_seconds', 'lower');
tenX('CPU per event (burst) at least 10x lower than the NestJS peer', 'burst', 'metrics.server_cpu_us_per_event', 'lower');
tenX('CPU per event (sustained) at least 10x lower than the NestJS peer', 'sustained', 'metrics.server_cpu_us_per_event', 'lower');
const p99 = get(find(OURS, 'sustained'), 'metrics.patch_to_event.p99_us');
if (p99 != null) aims.push(['Sustained p99 under 2 ms', fmt(p99, 'us'), p99 < 2000]);
// The aims of issue 12: cost as a multiple of the bare epoll loop of the same run.
const overBare = (label, scenario, path, limit) => {
  const ours = get(find(OURS, scenario), path);
  const bare = get(find(BARE, scenario), path);
  if (ours == null || bare == null || !(bare > 0)) return;
  const r = ours / bare;
  aims.push([label, `${r.toFixed(2)}x the bare loop (ours ${fmt(ours)}, bare ${fmt(bare)})`, r <= limit]);
};
if (oursIdle != null) aims.push(['Per idle stream at most 1 KiB of server memory (issue 12)', fmt(oursIdle, 'B'), oursIdle <= 1024]);
overBare('Burst drain at most 2x the bare epoll loop', 'burst', 'metrics.drain_seconds', 2);
overBare('Burst server CPU per event at most 2x the bare epoll loop', 'burst', 'metrics.server_cpu_us_per_event', 2);
overBare('Admission HS256 server CPU at most 1.3x the bare epoll loop', 'admission_hs256', 'metrics.server_cpu_us_per_admission', 1.3);
const p999 = get(find(OURS, 'sustained'), 'metrics.patch_to_event.p999_us');
if (p999 != null) aims.push(['Sustained p99.9 under 5 ms', fmt(p999, 'us'), p999 < 5000]);
const growth = get(find(OURS, 'churn'), 'metrics.rss_growth_percent');
if (growth != null) aims.push(['RSS after churn within 5% of before', `${fmt(growth, '%')}`, Math.abs(growth) <= 5]);
if (aims.length) {
  lines.push('## Aims of the issue (eudiplo_sse)', '', '| aim | measured | met |', '|---|---|---|');
  for (const [label, measured, met] of aims) lines.push(`| ${label} | ${measured} | ${met ? 'yes' : '**no**'} |`);
  lines.push('');
}

// CPU used by neither the server nor the load generator while a scenario ran: other
// processes on the machine. High values mean the rates and latencies of that run are disturbed.
lines.push('## CPU used by other processes during each scenario (cores)', '');
lines.push(`| scenario | ${servers.join(' | ')} |`);
lines.push(`|---|${servers.map(() => '---:').join('|')}|`);
for (const scenario of [...new Set(results.map((r) => r.scenario))]) {
  const cells = servers.map((s) => fmt(get(find(s, scenario), 'server_process.other_cpu_cores')));
  lines.push(`| ${scenario} | ${cells.join(' | ')} |`);
}
lines.push('');

lines.push('## Problems and contract deviations seen', '');
let any = false;
for (const r of results) {
  const devs = Object.entries(r.contract_deviations ?? {});
  if (!r.problems?.length && !devs.length && !r.notes?.length) continue;
  any = true;
  lines.push(`- **${r.server} / ${r.scenario}**`);
  for (const p of r.problems ?? []) lines.push(`  - problem: ${p}`);
  for (const n of r.notes ?? []) lines.push(`  - note: ${n}`);
  for (const [kind, d] of devs) {
    lines.push(`  - deviation \`${kind}\` x ${d.count}${d.example ? `, e.g. \`${d.example.replaceAll('`', "'")}\`` : ''}`);
  }
}
if (!any) lines.push('None.');
lines.push('');

lines.push('## Parameters', '');
for (const scenario of [...new Set(results.map((r) => r.scenario))]) {
  const r = results.find((x) => x.scenario === scenario);
  lines.push(`- ${scenario}: \`${JSON.stringify(r.params)}\``);
}
lines.push('');
const text = lines.join('\n');
if (opts.out) writeFileSync(opts.out, text);
else process.stdout.write(text);
