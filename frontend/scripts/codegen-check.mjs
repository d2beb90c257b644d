// Fails when frontend/src/gql is not what codegen would write from the current
// graph/*.graphqls and operations: regenerate into a temp folder, compare.
import { generate } from '@graphql-codegen/cli';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
process.chdir(root);
const { codegenConfig } = await import('../codegen.mjs');
const committed = join(root, 'frontend/src/gql');
const fresh = mkdtempSync(join(tmpdir(), 'certlink-codegen-'));
try {
  await generate({ ...codegenConfig(fresh + '/'), silent: true }, true);
  const list = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.')).sort() : []);
  const want = list(fresh);
  const have = list(committed);
  const stale = [];
  for (const f of new Set([...want, ...have])) {
    const a = want.includes(f) ? readFileSync(join(fresh, f), 'utf8') : null;
    const b = have.includes(f) ? readFileSync(join(committed, f), 'utf8') : null;
    if (a !== b) stale.push(f);
  }
  if (stale.length) {
    console.error(`frontend/src/gql is stale (${stale.join(', ')}): run \`npm run codegen\` and commit the result.`);
    process.exit(1);
  }
  console.log('codegen: frontend/src/gql is up to date');
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
