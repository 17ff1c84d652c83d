// Copies the third-party files the console needs from node_modules into
// ui/static/vendor/, which dispatchd embeds. Run after `npm ci` (the
// Makefile and scripts/test.sh do both). vendor/ is generated, never committed.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'ui', 'static', 'vendor');

// [from under node_modules, to under vendor/]
const files = [
  ['leaflet/dist/leaflet-src.esm.js', 'leaflet/leaflet.js'],
  ['leaflet/dist/leaflet.css', 'leaflet/leaflet.css'],
  ['leaflet/dist/images', 'leaflet/images'],
  ['leaflet/LICENSE', 'leaflet/LICENSE'],
  // The supervisor dashboard's charts.
  ['uplot/dist/uPlot.esm.js', 'uplot/uPlot.esm.js'],
  ['uplot/dist/uPlot.min.css', 'uplot/uPlot.min.css'],
  ['uplot/LICENSE', 'uplot/LICENSE'],
];

rmSync(out, { recursive: true, force: true });
for (const [from, to] of files) {
  const src = join(here, 'node_modules', from);
  if (!existsSync(src)) {
    console.error(`build: ${src} is missing; run \`npm ci\` in web/ first`);
    process.exit(1);
  }
  const dst = join(out, to);
  mkdirSync(dirname(dst), { recursive: true });
  cpSync(src, dst, { recursive: true });
}
writeFileSync(join(out, '.stamp'), new Date().toISOString() + '\n');
console.log(`build: vendor files copied to ${out}`);
