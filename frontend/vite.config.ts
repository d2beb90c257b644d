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

// The entry (src/main.tsx) imports the app (src/boot.tsx) only after the first
// frame, so the splash paints first; these links fetch the app's chunks meanwhile.
function preloadApp(): Plugin {
  return {
    name: 'certlink-preload-app',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return html;
        const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
        const boot = chunks.find((c) => c.facadeModuleId?.endsWith('/src/boot.tsx'));
        if (!boot) throw new Error('certlink-preload-app: no chunk for src/boot.tsx');
        const files = new Set<string>();
        const visit = (file: string) => {
          if (files.has(file)) return;
          files.add(file);
          const chunk = chunks.find((c) => c.fileName === file);
          for (const dep of chunk?.imports ?? []) visit(dep);
        };
        visit(boot.fileName);
        const links = [...files]
          .filter((f) => !html.includes(`/${f}"`))
          .map((f) => `    <link rel="modulepreload" crossorigin href="/${f}">\n`)
          .join('');
        return html.replace(/\n\s*<\/head>/, `\n${links}  </head>`);
      },
    },
  };
}

// In development the API is a running certlink server; same-origin through the proxy
// so the session cookie behaves exactly as in production.
const api = process.env.CERTLINK_API ?? 'http://127.0.0.1:18080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [graphqlDocuments(join(import.meta.dirname, 'src/gql/graphql.ts')), react(), cleanDistKeepingPlaceholder(), preloadApp(), precompressAssets()],
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
