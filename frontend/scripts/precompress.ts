// Writes name.gz and name.br beside every compressible file of the built app, when
// smaller: the Go server (frontend/embed.go) serves them to browsers that accept
// them, so nothing is compressed per request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const compressible = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.txt', '.map', '.wasm', '.ttf']);
const minBytes = 512;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

export function precompress(dist: string): { files: number; raw: number; gzip: number; brotli: number } {
  const sum = { files: 0, raw: 0, gzip: 0, brotli: 0 };
  for (const file of files(dist)) {
    if (!compressible.has(extname(file)) || statSync(file).size < minBytes) continue;
    const raw = readFileSync(file);
    const gz = gzipSync(raw, { level: 9 });
    const br = brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    });
    sum.files++;
    sum.raw += raw.length;
    if (gz.length < raw.length) {
      writeFileSync(file + '.gz', gz);
      sum.gzip += gz.length;
    }
    if (br.length < raw.length) {
      writeFileSync(file + '.br', br);
      sum.brotli += br.length;
    }
  }
  return sum;
}
