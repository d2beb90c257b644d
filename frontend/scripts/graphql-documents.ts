// A build-time stand-in for graphql-codegen's babel plugin: every graphql(`…`) call
// in the app's source becomes the parsed document codegen wrote into
// src/gql/graphql.ts (MeDocument, ProfileUserFragmentDoc, …), inlined where it is
// used. Without it, src/gql/gql.ts maps every operation's text to its document, so
// the first page would load every page's documents (and importing them from
// graphql.ts would still put them all in one shared chunk); with it, each document
// travels in the chunk of the page that uses it. A graphql() text codegen does not
// know fails the build.
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

const call = /\bgraphql\(\s*`([^`]*)`\s*\)/g;
const definition = /^\s*(?:#[^\n]*\n\s*)*(query|mutation|subscription|fragment)\s+([A-Za-z_]\w*)/;
const importOfGraphql = /^import\s*\{\s*graphql\s*\}\s*from\s*['"][./]+\/gql['"];?\s*$/m;

/** The export of src/gql/graphql.ts that codegen writes for a graphql() text. */
export function documentExport(text: string): string | null {
  const m = definition.exec(text);
  if (!m) return null;
  return m[1] === 'fragment' ? `${m[2]}FragmentDoc` : `${m[2]}Document`;
}

/** The documents of src/gql/graphql.ts by export name, as JSON text. */
export function generatedDocuments(source: string): Map<string, string> {
  const docs = new Map<string, string>();
  for (const m of source.matchAll(/^export const (\w+) = (\{.*\}) as unknown as DocumentNode<.*>;$/gm)) {
    JSON.parse(m[2]); // codegen writes plain JSON: anything else fails here, not at run time
    docs.set(m[1], m[2]);
  }
  return docs;
}

/** Rewrites one module's graphql() calls; null when it has none. */
export function rewriteGraphqlCalls(code: string, docs: Map<string, string>): string | null {
  if (!code.includes('graphql(`')) return null;
  let replaced = 0;
  let out = code.replace(call, (_all, text: string) => {
    const name = documentExport(text);
    const doc = name && docs.get(name);
    if (!doc) {
      throw new Error(`graphql(): no generated document for ${JSON.stringify(text.trim().split('\n')[0])}: run npm run codegen`);
    }
    replaced++;
    return `(${doc})`;
  });
  if (replaced === 0) return null;
  if (!/\bgraphql\(/.test(out)) out = out.replace(importOfGraphql, '');
  return out;
}

export function graphqlDocuments(generated: string): Plugin {
  let docs: Map<string, string> | null = null;
  return {
    name: 'certlink-graphql-documents',
    enforce: 'pre',
    buildStart() {
      docs = null;
    },
    transform(code, id) {
      if (!/\/src\/.*\.tsx?$/.test(id) || id.includes('/src/gql/') || /\.test\.tsx?$/.test(id)) return null;
      docs ??= generatedDocuments(readFileSync(generated, 'utf8'));
      const out = rewriteGraphqlCalls(code, docs);
      return out === null ? null : { code: out, map: null };
    },
  };
}
