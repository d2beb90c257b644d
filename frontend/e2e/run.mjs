// Browser tests: the real certlink binary (CERTLINK_BIN, built with the web app
// embedded) on a free port with a fresh database, driven by Debian's Chromium through
// playwright-core. No tool here downloads a browser.
//
//   CERTLINK_BIN=/path/to/certlink npm run e2e [-- name-filter]
//
// Each scenario runs in a fresh browser context; screenshots go to frontend/screenshots/.
// Closes with "N passed, M failed" and exits non-zero on any failure.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { scenarios } from './scenarios.mjs';

const bin = process.env.CERTLINK_BIN;
if (!bin) {
  console.error('Set CERTLINK_BIN to a certlink binary built after `npm run build` (e.g. go build -o /tmp/certlink .).');
  console.log('0 passed, 1 failed');
  process.exit(2);
}
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const filter = process.argv[2];
const shots = resolve(import.meta.dirname, '../screenshots');
mkdirSync(shots, { recursive: true });

function listenOn(port) {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(port, '127.0.0.1', () => {
      const { port: got } = srv.address();
      srv.close(() => ok(got));
    });
  });
}

// CERTLINK_E2E_PORTS=18800-18899 keeps the servers inside a range (a shared machine); otherwise any free port.
const portRange = (process.env.CERTLINK_E2E_PORTS ?? '').split('-').map(Number);
let nextPort = portRange[0];

async function freePort() {
  if (portRange.length !== 2 || !portRange[0]) return listenOn(0);
  while (nextPort <= portRange[1]) {
    const port = nextPort++;
    try {
      return await listenOn(port);
    } catch {
      // taken: try the next one
    }
  }
  throw new Error(`no free port in ${process.env.CERTLINK_E2E_PORTS}`);
}

async function waitHealthy(base, server, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`certlink exited with code ${server.exitCode} before it was ready`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`certlink did not answer ${base}/healthz with 200 within ${timeoutMs / 1000}s`);
}

// Full-page shots of a scrolled page paint the sticky top bar mid-page: scroll to the top first.
async function takeShot(page, name, { fullPage = true } = {}) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
}

const work = mkdtempSync(join(tmpdir(), 'certlink-e2e-'));
const serverLog = [];
const servers = [];

// A certlink on a free port with a fresh database; extra flags for scenarios that need them
// (e.g. no association cooldown, to move an MCID between organizations).
async function startServer(name, extra = []) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(bin, ['--addr', `127.0.0.1:${port}`, '--db', join(work, `${name}.db`), ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CERTLINK_LOG_LEVEL: process.env.CERTLINK_LOG_LEVEL ?? 'warn' },
  });
  proc.stdout.on('data', (d) => serverLog.push(String(d)));
  proc.stderr.on('data', (d) => serverLog.push(String(d)));
  servers.push(proc);
  await waitHealthy(base, proc);
  return base;
}

const bases = new Map();
async function baseFor(scenario) {
  const key = (scenario.serverArgs ?? []).join(' ');
  if (!bases.has(key)) bases.set(key, await startServer(`e2e-${bases.size}`, scenario.serverArgs ?? []));
  return bases.get(key);
}

let browser;
let passed = 0;
let failed = 0;
const stop = () => {
  for (const proc of servers) if (proc.exitCode === null) proc.kill('SIGTERM');
};
process.on('exit', stop);

try {
  await baseFor({});
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // launch() gives each run a fresh temporary profile (user-data-dir).
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  for (const scenario of scenarios) {
    if (filter && !scenario.name.includes(filter)) continue;
    const base = await baseFor(scenario);
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 860 }, acceptDownloads: true, ...scenario.context });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const consoleErrors = [];
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // A page the scenario opens on purpose at a path that is no page of the
      // app: its document comes with the status 404, which Chromium logs.
      const url = msg.location()?.url;
      if (/status of 404/.test(msg.text()) && url && (scenario.notFound ?? []).includes(new URL(url).pathname)) return;
      consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    const started = Date.now();
    try {
      await scenario.run({ page, context, base, shot: (name, opts) => takeShot(page, name, opts) });
      if (consoleErrors.length) throw new Error(`console errors:\n    ${consoleErrors.join('\n    ')}`);
      passed++;
      console.log(`ok   ${scenario.name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed++;
      console.log(`FAIL ${scenario.name}: ${err?.message ?? err}`);
      await page.screenshot({ path: join(shots, `FAILED-${scenario.name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
    } finally {
      await context.close();
    }
  }
} catch (err) {
  failed++;
  console.log(`FAIL setup: ${err?.message ?? err}`);
} finally {
  await browser?.close().catch(() => {});
  stop();
  rmSync(work, { recursive: true, force: true });
}
if (failed) console.log(`--- server log ---\n${serverLog.join('').split('\n').slice(-40).join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
