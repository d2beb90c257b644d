// The build inlines each graphql(`…`) call's generated document
// (scripts/graphql-documents.ts); this checks it yields exactly what codegen's
// runtime lookup (src/gql/gql.ts) returns, for every call in the app.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentExport, generatedDocuments, rewriteGraphqlCalls } from '../../scripts/graphql-documents';
import { graphql } from '../gql';

const src = join(import.meta.dirname, '..');
const docs = generatedDocuments(readFileSync(join(src, 'gql/graphql.ts'), 'utf8'));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'gql' ? [] : sources(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('graphql() inlining', () => {
  it('gives every call in the app the document codegen maps its text to', () => {
    let calls = 0;
    for (const file of sources(src)) {
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/\bgraphql\(\s*`([^`]*)`\s*\)/g)) {
        calls++;
        const rewritten = rewriteGraphqlCalls(`const d = graphql(\`${m[1]}\`);`, docs);
        expect(rewritten, file).not.toBeNull();
        const inlined = JSON.parse(rewritten!.replace(/^const d = \((.*)\);$/s, '$1'));
        expect(inlined, `${file}: ${documentExport(m[1])}`).toEqual(JSON.parse(JSON.stringify(graphql(m[1] as never))));
      }
    }
    expect(calls).toBeGreaterThan(40);
  });

  it('drops the import of graphql once no call is left', () => {
    const out = rewriteGraphqlCalls("import { graphql } from '../gql';\nexport const Q = graphql(`\n  query Me {\n    me { id }\n  }\n`);\n", docs)!;
    expect(out).not.toContain("from '../gql'");
    expect(out).toContain('"kind":"Document"');
  });

  it('fails the build on a text codegen has not seen', () => {
    expect(() => rewriteGraphqlCalls('graphql(`query NotGenerated { me { id } }`)', docs)).toThrow(/run npm run codegen/);
  });
});
