// The two-instance report of issue 10 (bench/results/<date>-instances.md): for the burst and
// sustained scenarios, one column per configuration (one server in memory; two servers on one
// Redis, changes to A and streams on B, or both split, per appendfsync mode), each figure as
// the median over the repetitions of the run with its range, and ratios to the single-instance
// figure of the SAME repetition (medians of the per-repetition ratios).
//
//   node bench/loadgen/report_instances.mjs --out R.md --json R.json --machine M.txt \
//        --command "bench/run.sh ..." [--title T] file.json...
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const args = process.argv.slice(2);
const opts = { files: [] };
for (let i = 0; i < args.length; ++i) {
  const a = args[i];
  if (['--out', '--json', '--machine', '--command', '--title'].includes(a)) opts[a.slice(2)] = args[++i];
  else opts.files.push(a);
}

// Each result keeps the repetition it came from (run.sh names the files ...-r<N>.json).
const results = [];
for (const file of opts.files) {
  const rep = Number((basename(file).match(/-r(\d+)\.json$/) ?? [])[1] ?? 1);
  try {
    for (const r of JSON.parse(readFileSync(file, 'utf8'))) results.push({ ...r, rep });
  } catch (err) {
    console.error(`report_instances: skipping ${file}: ${err.message}`);
  }
}
if (opts.json) writeFileSync(opts.json, JSON.stringify(results, null, 1) + '\n');

const get = (obj, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return undefined;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function fmt(v) {
  if (v == null || Number.isNaN(v)) return 'n/a';
  const a = Math.abs(v);
  if (a >= 10000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v === 0 ? '0' : v.toPrecision(2);
}

// Configurations: [column title, server label, scenario suffix].
const fsyncs = [...new Set(results.map((r) => (r.server.match(/^eudiplo_sse_redis_(\w+)$/) ?? [])[1]).filter(Boolean))];
const configs = [['one server, in memory', 'eudiplo_sse', '']];
for (const f of fsyncs) {
  configs.push([`A to B, Redis ${f}`, `eudiplo_sse_redis_${f}`, '_a_to_b']);
  configs.push([`mixed, Redis ${f}`, `eudiplo_sse_redis_${f}`, '_mixed']);
}
const runsOf = (family, [, server, suffix]) =>
  results.filter((r) => r.server === server && r.scenario === family + suffix).sort((a, b) => a.rep - b.rep);

// [label, metric path, ratio to single-instance?]
const LATENCY = [
  ['PATCH to event p50 (us)', 'metrics.patch_to_event.p50_us', true],
  ['PATCH to event p99 (us)', 'metrics.patch_to_event.p99_us', true],
  ['PATCH to event p99.9 (us)', 'metrics.patch_to_event.p999_us', true],
  ['PATCH to event max (us)', 'metrics.patch_to_event.max_us', false],
  ['mixed: p50 / p99 of changes sent to the other instance (us)', ['metrics.patch_to_event_cross.p50_us', 'metrics.patch_to_event_cross.p99_us'], false],
  ['mixed: p50 / p99 of changes sent to the stream\'s own instance (us)', ['metrics.patch_to_event_local.p50_us', 'metrics.patch_to_event_local.p99_us'], false],
];
const CPU = [
  ['server CPU per event, single server (us)', 'metrics.server_cpu_us_per_event', false, 'single'],
  ['server CPU per event, instance A (us)', 'metrics.cpu_us_per_event.server_a', false],
  ['server CPU per event, instance B (us)', 'metrics.cpu_us_per_event.server_b', false],
  ['server CPU per event, A + B (us)', 'metrics.cpu_us_per_event.servers', true],
  ['Redis CPU per event (us)', 'metrics.cpu_us_per_event.redis', false],
];
const FAMILIES = {
  burst: [
    ['events received / expected (all repetitions)', null, 'count'],
    ['events lost (all repetitions)', 'metrics.events_lost', 'sum'],
    ['events twice (all repetitions)', 'metrics.events_duplicated', 'sum'],
    ['drain: first PATCH to last event (s)', 'metrics.drain_seconds', true],
    ...LATENCY,
    ...CPU,
  ],
  sustained: [
    ['events received / changes sent (all repetitions)', null, 'count'],
    ['events lost (all repetitions)', 'metrics.events_lost', 'sum'],
    ['events for no change awaited (all repetitions)', 'metrics.events_unexpected', 'sum'],
    ['events delivered per second', 'metrics.delivered_per_s', false],
    ...LATENCY,
    ...CPU,
  ],
};

// "median (min-max)" of a metric over the repetitions, or the sum.
function cell(runs, path, mode) {
  if (mode === 'count') {
    const got = runs.reduce((s, r) => s + (get(r, 'metrics.events_received') ?? get(r, 'metrics.events_delivered') ?? 0), 0);
    const want = runs.reduce((s, r) => s + (get(r, 'metrics.events_expected') ?? get(r, 'metrics.changes_sent') ?? 0), 0);
    return runs.length ? `${got.toLocaleString('en-US')} / ${want.toLocaleString('en-US')}` : 'n/a';
  }
  if (Array.isArray(path)) return path.map((p) => cell(runs, p, false)).join(' / ');
  const xs = runs.map((r) => get(r, path)).filter((v) => typeof v === 'number');
  if (!xs.length) return '';
  if (mode === 'sum') return fmt(xs.reduce((a, b) => a + b, 0));
  const m = median(xs);
  return xs.length > 1 ? `${fmt(m)} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})` : fmt(m);
}

// Median over repetitions of value / the single-instance value of the same repetition.
function ratio(runs, singles, path, singlePath) {
  const xs = [];
  for (const r of runs) {
    const s = singles.find((x) => x.rep === r.rep);
    const a = get(r, path);
    const b = get(s, singlePath ?? path);
    if (typeof a === 'number' && typeof b === 'number' && b > 0) xs.push(a / b);
  }
  return xs.length ? `${median(xs).toFixed(2)}x` : '';
}

const lines = [`# ${opts.title ?? 'Two instances on one Redis'}`, ''];
if (opts.machine) lines.push('## Machine', '', '```', readFileSync(opts.machine, 'utf8').trim(), '```', '');
if (opts.command) lines.push(`Command: \`${opts.command}\``, '');
lines.push('Each figure: median over the repetitions (range in brackets). "x single": the median of the ratios to the',
  'one-server, in-memory figure of the same repetition. A + B: both servers together; Redis: redis-server',
  'alone (/proc/PID/stat utime + stime, 10 ms ticks).', '');
for (const [family, rows] of Object.entries(FAMILIES)) {
  const present = configs.filter((c) => runsOf(family, c).length);
  if (!present.length) continue;
  const singles = runsOf(family, configs[0]);
  const reps = Math.max(...present.map((c) => runsOf(family, c).length));
  lines.push(`## ${family} (${reps} repetition${reps > 1 ? 's' : ''})`, '');
  const head = ['metric'];
  for (const c of present) {
    head.push(c[0]);
    if (c !== configs[0]) head.push('x single');
  }
  lines.push(`| ${head.join(' | ')} |`, `|---|${head.slice(1).map(() => '---:').join('|')}|`);
  for (const [label, path, mode, only] of rows) {
    const cells = [label];
    for (const c of present) {
      const runs = runsOf(family, c);
      const isSingle = c === configs[0];
      cells.push(only === 'single' && !isSingle ? '' : cell(runs, path, mode));
      if (isSingle) continue;
      // A + B of two instances against the one server's CPU per event.
      const singlePath = path === 'metrics.cpu_us_per_event.servers' ? 'metrics.server_cpu_us_per_event' : undefined;
      cells.push(mode === true ? ratio(runs, singles, path, singlePath) : '');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const other = present.map((c) => {
    const xs = runsOf(family, c).map((r) => get(r, 'server_process.other_cpu_cores')).filter((v) => typeof v === 'number');
    return `${c[0]}: median ${fmt(median(xs))}, max ${fmt(Math.max(...xs))}`;
  });
  lines.push('', `Cores used by other processes meanwhile: ${other.join('; ')}.`, '');
}

// Issue 10's aim: p99 under 5 ms at 2,000 changes/s over 10,000 streams split across the two
// instances, nothing lost.
const aims = [];
for (const c of configs.slice(1)) {
  const runs = runsOf('sustained', c);
  if (!runs.length) continue;
  const p99s = runs.map((r) => get(r, 'metrics.patch_to_event.p99_us'));
  const lost = runs.reduce((s, r) => s + (get(r, 'metrics.events_lost') ?? 0) + (get(r, 'metrics.events_unexpected') ?? 0), 0);
  const p = runs[0].params ?? {};
  const met = p99s.every((v) => v < 5000) && lost === 0;
  aims.push(`| sustained, ${c[0]} (${p.streams} streams, ${p.rate_per_s}/s) | p99 ${p99s.map(fmt).join(', ')} us; lost or extra ${lost} | ${met ? 'yes' : '**no**'} |`);
}
if (aims.length) {
  lines.push('## Aim of issue 10: p99 under 5 ms at 2,000 changes/s over 10,000 streams, none lost', '',
    '| configuration | measured (each repetition) | met |', '|---|---|---|', ...aims, '');
}

lines.push('## Problems and contract deviations seen', '');
let any = false;
for (const r of results) {
  const devs = Object.entries(r.contract_deviations ?? {});
  if (!r.problems?.length && !devs.length) continue;
  any = true;
  lines.push(`- **${r.server} / ${r.scenario} / repetition ${r.rep}**`);
  for (const p of r.problems ?? []) lines.push(`  - problem: ${p}`);
  for (const [kind, d] of devs) lines.push(`  - deviation \`${kind}\` x ${d.count}`);
}
if (!any) lines.push('None.');
lines.push('');
const text = lines.join('\n');
if (opts.out) writeFileSync(opts.out, text);
else process.stdout.write(text);
