// The main bundle budget (issue 5: at most 150 KB gzipped without GraphiQL): sums the
// gzipped size of everything index.html loads up front (entry script, module preloads,
// stylesheets). Lazy chunks such as GraphiQL are not counted. Fails over budget.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 150 * 1024;
const dist = resolve(import.meta.dirname, '../dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const assets = new Set();
for (const m of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="(\/assets\/[^"]+)"/g)) assets.add(m[1]);

let total = 0;
for (const asset of [...assets].sort()) {
  const size = gzipSync(readFileSync(join(dist, asset)), { level: 9 }).length;
  total += size;
  console.log(`  ${asset.padEnd(48)} ${(size / 1024).toFixed(1).padStart(7)} KB gz`);
}
console.log(`main bundle: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB, GraphiQL excluded)`);
if (assets.size === 0) {
  console.error('no assets found in dist/index.html');
  process.exit(1);
}
if (total > BUDGET) {
  console.error('main bundle is over budget');
  process.exit(1);
}
