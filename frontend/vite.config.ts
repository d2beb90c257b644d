import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { precompress } from './scripts/precompress.ts';
import { graphqlDocuments } from './scripts/graphql-documents.ts';

const dist = join(import.meta.dirname, 'dist');

// frontend/dist/.keep belongs to the Go side (go:embed needs a non-empty dir),
// so Vite must not empty the folder: clear everything else ourselves.
function cleanDistKeepingPlaceholder(): Plugin {
  return {
    name: 'certlink-clean-dist',
    apply: 'build',
    buildStart() {
      if (!existsSync(dist)) return;
      for (const entry of readdirSync(dist, { withFileTypes: true })) {
        if (entry.name !== '.keep') rmSync(join(dist, entry.name), { recursive: true, force: true });
      }
    },
  };
}

// Every text asset is also written gzip- and brotli-compressed next to itself
// (name.js.gz, name.js.br); the Go server sends the best one the browser accepts.
function precompressAssets(): Plugin {
  return {
    name: 'certlink-precompress',
    apply: 'build',
    closeBundle() {
      precompress(dist);
    },
  };
}

// In development the API is a running certlink server; same-origin through the proxy
// so the session cookie behaves exactly as in production.
const api = process.env.CERTLINK_API ?? 'http://127.0.0.1:18080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [graphqlDocuments(join(import.meta.dirname, 'src/gql/graphql.ts')), react(), cleanDistKeepingPlaceholder(), precompressAssets()],
  build: {
    outDir: dist,
    emptyOutDir: false,
    sourcemap: false,
    // GraphiQL (Monaco) is a lazy chunk of several MB by design; the main bundle
    // budget is enforced by scripts/bundle-size.mjs instead.
    chunkSizeWarningLimit: 8000,
    rolldownOptions: {
      onwarn(warning, warn) {
        // GraphiQL's React-compiler output carries "use no memo"; dropping it is harmless.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/graphql': api,
      '/reports': api,
      '/healthz': api,
    },
  },
});
