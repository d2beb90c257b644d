// Lighthouse on the web app's pages, signed in, with the mobile and desktop presets:
// each page RUNS times, the median of each score printed with the machine's load
// average and Lighthouse's CPU benchmark index (Lighthouse throttles by simulation,
// so the scores still move with CPU load), and the run that got the most CPU.
// Run through scripts/lighthouse, which provides Lighthouse and Debian's Chromium.
//   node frontend/scripts/lighthouse.mjs <lighthouse-bin> <base-url> [page...]
// Environment: LH_RUNS (3), LH_USER (grace@contoso.example), LH_PASSWORD
// (certlink-demo), LH_PRESETS (mobile,desktop), LH_OUT (a folder for the JSON reports).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const [bin, base, ...argPages] = process.argv.slice(2);
if (!bin || !base) {
  console.error('usage: lighthouse.mjs <lighthouse-bin> <base-url> [page...]');
  process.exit(2);
}
const pages = argPages.length ? argPages : ['/profile', '/competencies', '/designations', '/skills-report'];
const runs = Number(process.env.LH_RUNS ?? 3);
const presets = (process.env.LH_PRESETS ?? 'mobile,desktop').split(',');
const out = process.env.LH_OUT ?? mkdtempSync(join(tmpdir(), 'certlink-lighthouse-'));
mkdirSync(out, { recursive: true });

// Sign in as the app does: signIn sets the HttpOnly session cookie.
async function signIn() {
  const email = process.env.LH_USER ?? 'grace@contoso.example';
  const password = process.env.LH_PASSWORD ?? 'certlink-demo';
  const res = await fetch(new URL('/graphql', base), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($input: SignInInput!) { signIn(input: $input) { expiresAt } }',
      variables: { input: { email, password } },
    }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`signIn as ${email}: ${JSON.stringify(body.errors)}`);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
  const session = cookies.find((c) => c.startsWith('certlink_session='));
  if (!session) throw new Error('signIn set no certlink_session cookie');
  return session;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const cookie = await signIn();
const rows = [];
for (const page of pages) {
  for (const preset of presets) {
    const results = [];
    for (let i = 1; i <= runs; i++) {
      const file = join(out, `${page.replace(/\W+/g, '_')}-${preset}-${i}.json`);
      const args = [
        new URL(page, base).href,
        '--quiet',
        '--output=json',
        `--output-path=${file}`,
        '--only-categories=performance,accessibility,best-practices',
        '--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage',
        `--extra-headers=${JSON.stringify({ Cookie: cookie })}`,
      ];
      if (preset === 'desktop') args.push('--preset=desktop');
      const load = loadavg()[0];
      // Lighthouse sometimes loses the trace on a starved machine (NO_NAVSTART): try again.
      for (let attempt = 1; ; attempt++) {
        try {
          await run(bin, args, { maxBuffer: 64 << 20 });
          break;
        } catch (e) {
          if (attempt === 3) throw e;
          console.error(`${page} ${preset} #${i}: Lighthouse failed (${String(e.stderr ?? e).trim().split('\n').pop()}), trying again`);
        }
      }
      const lhr = JSON.parse(readFileSync(file, 'utf8'));
      const finalUrl = new URL(lhr.finalDisplayedUrl ?? lhr.finalUrl);
      if (finalUrl.pathname !== page) throw new Error(`${page} ended on ${finalUrl.pathname}`);
      const score = (c) => Math.round((lhr.categories[c]?.score ?? NaN) * 100);
      const ms = (a) => lhr.audits[a]?.numericValue ?? NaN;
      const r = {
        perf: score('performance'),
        a11y: score('accessibility'),
        bp: score('best-practices'),
        fcp: ms('first-contentful-paint'),
        lcp: ms('largest-contentful-paint'),
        tbt: ms('total-blocking-time'),
        cls: lhr.audits['cumulative-layout-shift']?.numericValue ?? NaN,
        bench: lhr.environment?.benchmarkIndex ?? NaN,
        load,
      };
      results.push(r);
      console.error(
        `${page} ${preset} #${i}: performance ${r.perf} accessibility ${r.a11y} best practices ${r.bp}` +
          ` · FCP ${(r.fcp / 1000).toFixed(1)} s LCP ${(r.lcp / 1000).toFixed(1)} s TBT ${Math.round(r.tbt)} ms CLS ${r.cls.toFixed(3)}` +
          ` · benchmark index ${Math.round(r.bench)} · load ${load.toFixed(1)}`,
      );
    }
    const m = (k) => median(results.map((r) => r[k]));
    // The run that got the most CPU (highest benchmark index): closest to an idle machine.
    const best = results.reduce((a, b) => (b.bench > a.bench ? b : a));
    rows.push({ page, preset, ...Object.fromEntries(Object.keys(results[0]).map((k) => [k, m(k)])), loads: results.map((r) => r.load), best });
  }
}

console.log(`\nmedians of ${runs} runs (reports in ${out}):\n`);
console.log('| page | preset | performance | accessibility | best practices | FCP | LCP | TBT | CLS | benchmark index | load average (1 min) | run with the most CPU: performance (index) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| \`${r.page}\` | ${r.preset} | ${r.perf} | ${r.a11y} | ${r.bp} | ${(r.fcp / 1000).toFixed(1)} s | ${(r.lcp / 1000).toFixed(1)} s | ${Math.round(r.tbt)} ms | ${r.cls.toFixed(3)} | ${Math.round(r.bench)} | ${Math.min(...r.loads).toFixed(1)}–${Math.max(...r.loads).toFixed(1)} | ${r.best.perf} (${Math.round(r.best.bench)}) |`,
  );
}
