// @ts-check
// graphql-codegen reads the server's SDL files directly (no running server
// needed) and types every operation written with graphql() in src/.
// `npm run codegen` writes src/gql; `npm run codegen:check` fails when the
// committed output is stale (see scripts/codegen-check.mjs).

/** @param {string} [outDir] @returns {import('@graphql-codegen/cli').CodegenConfig} */
export const codegenConfig = (outDir = 'frontend/src/gql/') => ({
  overwrite: true,
  schema: 'graph/*.graphqls',
  documents: ['frontend/src/**/*.{ts,tsx}', '!frontend/src/gql/**', '!frontend/src/**/*.test.{ts,tsx}'],
  ignoreNoDocuments: true,
  generates: {
    [outDir]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
        scalars: { Time: 'string', Cursor: 'string', ID: 'string' },
        defaultScalarType: 'unknown',
      },
    },
  },
});

export default codegenConfig();
