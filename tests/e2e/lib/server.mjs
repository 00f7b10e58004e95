// Starts the real eudiplo_sse_server binary on a free loopback port, waits for its
// `listening on http://HOST:PORT` line, and stops it with SIGTERM (exit code 0 is
// part of the contract, so stop() asserts it).
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

// HS256 secrets must be at least 32 bytes (contract section 4).
export const JWT_SECRET = 'e2e-jwt-secret-0123456789abcdef-0123456789abcdef';
export const DEMO_CLIENT = { id: 'demo', secret: 'demo-secret', tenant: 'demo' };
export const OTHER_CLIENT = { id: 'other', secret: 'other-secret', tenant: 'tenant2' };

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');

// ctest passes EUDIPLO_SSE_SERVER=$<TARGET_FILE:eudiplo_sse_server>. Run by hand
// (`npm test`), the newest build*/examples[/server]/eudiplo_sse_server is used instead.
export function serverBinary() {
  let bin = process.env.EUDIPLO_SSE_SERVER;
  if (!bin) {
    const candidates = [];
    for (const dir of readdirSync(repoRoot)) {
      if (!dir.startsWith('build')) continue;
      for (const sub of [['examples'], ['examples', 'server']]) {
        const p = path.join(repoRoot, dir, ...sub, 'eudiplo_sse_server');
        try {
          candidates.push({ p, mtime: statSync(p).mtimeMs });
        } catch {
          // not built in this directory
        }
      }
    }
    candidates.sort((a, b) => b.mtime - a.mtime);
    if (candidates.length === 0) {
      throw new Error('EUDIPLO_SSE_SERVER is not set and no build*/examples[/server]/eudiplo_sse_server exists');
    }
    bin = candidates[0].p;
  }
  accessSync(bin, constants.X_OK);
  return bin;
}

// A server built with a sanitizer (the asan-ubsan and tsan builds run some suites
// against it) reports on stderr; any report fails the test file, also when the test
// that started the server ignored its exit code.
const SANITIZER_REPORT = /(ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|ThreadSanitizer: reported|runtime error: )/;
const sanitizerReports = [];

const live = new Set();
process.on('exit', () => {
  if (sanitizerReports.length > 0) {
    console.error(`sanitizer report(s) from the server:\n${sanitizerReports.join('\n----\n')}`);
    process.exitCode = 1;
  }
  for (const s of live) {
    try {
      s.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

export class Server {
  constructor(proc, flags, basePath) {
    this.proc = proc;
    this.flags = flags;
    this.basePath = basePath;
    this.stdout = '';
    this.stderr = '';
    this.exit = new Promise((resolve) => {
      proc.on('exit', (code, signal) => resolve({ code, signal }));
    });
    this.exited = false;
    this.exit.then(() => {
      this.exited = true;
      live.delete(this);
    });
    // 'close' comes after the last stderr byte (a leak report is written at exit).
    proc.on('close', () => {
      const m = SANITIZER_REPORT.exec(this.stderr);
      if (m) sanitizerReports.push(this.stderr.slice(Math.max(0, m.index - 200), m.index + 4000));
    });
    // Every token that went near this server, to grep the logs for at the end.
    this.secrets = new Set();
  }

  get pid() {
    return this.proc.pid;
  }

  // A route path under the configured --base-path.
  p(route) {
    return this.basePath + route;
  }

  url(route) {
    return this.origin + this.basePath + route;
  }

  rememberSecret(token) {
    this.secrets.add(token);
    return token;
  }

  rssKiB() {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    assert.ok(m, 'VmRSS missing in /proc/<pid>/status');
    return Number(m[1]);
  }

  terminate(signal = 'SIGTERM') {
    this.termSent = true;
    this.proc.kill(signal);
  }

  // SIGTERM, then the exit code must be 0 within timeoutMs.
  async stop({ timeoutMs = 5000 } = {}) {
    // One SIGTERM only: a second one during shutdown is a different request ("hurry").
    if (!this.exited && !this.termSent) this.terminate();
    const result = await Promise.race([
      this.exit,
      new Promise((resolve) => setTimeout(() => resolve(null), timeoutMs)),
    ]);
    if (result === null) {
      this.proc.kill('SIGKILL');
      await this.exit;
      assert.fail(`server did not exit within ${timeoutMs} ms of SIGTERM`);
    }
    assert.deepEqual(result, { code: 0, signal: null }, `server exit after SIGTERM; stderr tail:\n${this.stderr.slice(-2000)}`);
    return result;
  }

  // Contract: logs never contain a token. Checked on stdout and stderr, for the
  // whole token and for its signature (a partial redaction would still leak it).
  assertNoSecretsInLogs() {
    const logs = this.stdout + '\n' + this.stderr;
    for (const token of this.secrets) {
      const sig = token.split('.')[2];
      assert.ok(!logs.includes(token), `server log contains a token`);
      if (sig && sig.length >= 16) assert.ok(!logs.includes(sig), `server log contains a token signature`);
    }
  }
}

// Options: withSecret (default true) passes --jwt-secret JWT_SECRET; ca is the PEM
// certificate to trust when the flags include --tls-cert.
export async function startServer(flags = [], { readyTimeoutMs = 10000, withSecret = true, ca } = {}) {
  const bin = serverBinary();
  let basePath = '';
  const i = flags.indexOf('--base-path');
  if (i >= 0) basePath = flags[i + 1];
  const args = ['--listen', '127.0.0.1:0', ...(withSecret ? ['--jwt-secret', JWT_SECRET] : []), ...flags];
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const server = new Server(proc, args, basePath);
  server.tls = flags.includes('--tls-cert');
  server.ca = ca;
  live.add(server);
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    server.stderr += d;
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`no "listening on" line within ${readyTimeoutMs} ms; stdout=${server.stdout} stderr=${server.stderr}`));
    }, readyTimeoutMs);
    proc.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (code ${code}, signal ${signal}); stderr=${server.stderr}`));
    });
    proc.stdout.on('data', (d) => {
      server.stdout += d;
      const m = /listening on (https?):\/\/(\[[^\]]+\]|[^\s:/]+):(\d+)/.exec(server.stdout);
      if (m && !server.origin) {
        server.host = m[2].replace(/^\[|\]$/g, '');
        server.port = Number(m[3]);
        server.scheme = m[1];
        server.origin = `${server.tls ? 'https' : 'http'}://${m[2]}:${m[3]}`;
        clearTimeout(timer);
        resolve();
      }
    });
  });
  assert.ok(server.port > 0, 'port 0 must be replaced by the real port in the listening line');
  return server;
}

// Runs fn with a fresh server and always stops it; a clean SIGTERM exit (code 0)
// is asserted when fn succeeded, and no token may show up in the logs.
export async function withServer(flags, fn, options) {
  const server = await startServer(flags, options);
  let failed = true;
  try {
    await fn(server);
    failed = false;
  } finally {
    if (failed) {
      await server.stop().catch(() => {});
    }
  }
  await server.stop();
  server.assertNoSecretsInLogs();
  return server;
}
