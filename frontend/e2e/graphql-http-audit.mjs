// The graphql-http audit suite (the GraphQL-over-HTTP spec's conformance checks)
// against a real certlink: every MUST has to pass; SHOULDs are reported.
//
//   CERTLINK_BIN=/path/to/certlink node frontend/e2e/graphql-http-audit.mjs
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditServer } from 'graphql-http';

const bin = process.env.CERTLINK_BIN;
if (!bin) {
  console.error('Set CERTLINK_BIN to a certlink binary.');
  console.log('0 passed, 1 failed');
  process.exit(2);
}

const port = await new Promise((ok) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => ok(port));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'certlink-audit-'));
const base = `http://127.0.0.1:${port}`;
const server = spawn(bin, ['--addr', `127.0.0.1:${port}`, '--db', join(dir, 'audit.db'), '--rate-limit', '100000', '--log-level', 'warn'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
let failed = 0;
let passed = 0;
try {
  for (let i = 0; ; i++) {
    if (i > 300) throw new Error('certlink did not become healthy');
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  const signIn = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation{signIn(input:{email:"grace@contoso.example",password:"certlink-demo"}){token}}' }),
  }).then((r) => r.json());
  const token = signIn.data.signIn.token;
  // A signed-in partner tool, as the audit's requests would come from one.
  const fetchFn = (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  const results = await auditServer({ url: `${base}/graphql`, fetchFn });
  for (const r of results) {
    const must = r.name.startsWith('MUST');
    if (r.status === 'ok') {
      passed++;
      continue;
    }
    const why = r.status === 'error' ? r.reason : r.response ? `${r.reason}` : r.reason;
    if (must) {
      failed++;
      console.log(`FAIL ${r.id} ${r.name}: ${why}`);
    } else {
      passed++;
      console.log(`note ${r.id} ${r.name}: ${why}`);
    }
  }
} catch (err) {
  failed++;
  console.error(err);
} finally {
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
