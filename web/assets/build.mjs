// Builds the front-end assets into web/static/dist/ (run: npm run build).
//
// Everything third-party comes from node_modules (pinned in package-lock.json):
// ECharts, the Pretendard font and the us-atlas map geometry. Output files get
// content-hashed names; manifest.json maps logical names to them:
//
//   app.js          the small loader on every chart page: loads charts.js on first interaction
//   charts.js       browser bundle (ECharts, tree-shaken, + our code), IIFE, ES2018
//   admin.js        the editors' pages: upload with a progress bar
//   app.css         Pretendard @font-face (400, 700; woff2 unicode-range subsets) + site.css
//   us-states.json  GeoJSON of U.S. states, Albers-projected with y negated
//   echarts-ssr.js  the same ECharts build as globalThis.echarts, for the server's JS engine
//   font-regular    full Pretendard Regular TTF, for server-side text measuring and drawing
//   font-bold       full Pretendard Bold TTF
//   licenses        licence texts of the third-party code, font and geometry
//
// The build fails if the SSR bundle cannot render an SVG (see ssr-check.mjs).

import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { gzipSync, brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { checkSSR } from './ssr-check.mjs';

const require = createRequire(import.meta.url);
const topojson = require('topojson-client');

const assets = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(assets, '../..');
const dist = path.join(root, 'web/static/dist');
const modules = path.join(root, 'node_modules');

const FONT_WEIGHTS = new Set(['400', '700']);
const manifest = {};
const report = [];

function hashOf(buf) {
  return createHash('sha256').update(buf).digest('hex').slice(0, 8).toUpperCase();
}

// emit writes buf under a content-hashed name derived from name
// ("fonts/x.woff2" -> "fonts/x-1A2B3C4D.woff2") and returns that name.
function emit(name, buf, logical) {
  const ext = name.match(/(\.[a-z0-9]+)$/i)[1];
  const hashed = name.slice(0, -ext.length) + '-' + hashOf(buf) + ext;
  const file = path.join(dist, hashed);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, buf);
  // Text files get gzip and brotli twins, compressed once here at the
  // highest levels so the server never compresses them per request.
  if (/\.(js|css|json|txt|svg)$/.test(hashed)) {
    fs.writeFileSync(file + '.gz', gzipSync(buf, { level: 9 }));
    fs.writeFileSync(file + '.br', brotliCompressSync(buf, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }));
  }
  if (logical) {
    manifest[logical] = hashed;
    report.push([logical, hashed, buf.length, gzipSync(buf, { level: 9 }).length]);
  }
  return hashed;
}

function cleanDist() {
  fs.mkdirSync(dist, { recursive: true });
  for (const entry of fs.readdirSync(dist)) {
    if (entry === 'README.md') continue;
    fs.rmSync(path.join(dist, entry), { recursive: true, force: true });
  }
}

const esbuildCommon = {
  bundle: true,
  write: false,
  minify: true,
  format: 'iife',
  platform: 'browser',
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"', __DEV__: 'false' },
  banner: {
    js: '/*! bilateral. Includes Apache ECharts and ZRender (Apache-2.0) and tslib (0BSD); see the licenses file beside this one. */',
  },
};

async function bundle(entry, options) {
  const result = await build({ ...esbuildCommon, entryPoints: [path.join(assets, entry)], ...options });
  return Buffer.from(result.outputFiles[0].contents);
}

// fontFaces turns Pretendard's dynamic-subset CSS into @font-face rules for
// the weights we use, pointing at hashed copies of the woff2 files. The
// unicode-range of each subset is kept, so a page downloads only the subsets
// whose characters it shows (Latin for an English page).
function fontFaces() {
  const dir = path.join(modules, 'pretendard/dist/web/static');
  const css = fs.readFileSync(path.join(dir, 'pretendard-dynamic-subset.css'), 'utf8');
  const blocks = css.match(/@font-face\s*{[^}]*}/g) || [];
  const out = [];
  for (const block of blocks) {
    const prop = (name) => {
      const m = block.match(new RegExp(name + '\\s*:\\s*([^;]+);'));
      return m ? m[1].trim() : null;
    };
    const weight = prop('font-weight');
    if (!FONT_WEIGHTS.has(weight)) continue;
    const woff2 = (prop('src') || '').match(/url\(\s*['"]?([^'")]+\.woff2)['"]?\s*\)/);
    const range = prop('unicode-range');
    if (!woff2 || !range) throw new Error('pretendard: unexpected @font-face block: ' + block);
    const src = path.join(dir, woff2[1]);
    const base = path.basename(src).replace(/\.subset\.(\d+)\.woff2$/, '-$1.woff2');
    const hashed = emit('fonts/' + base, fs.readFileSync(src));
    // The subset with the lower-case Latin letters is what every page needs
    // first; the page preloads it so that it arrives before the first paint.
    if (coversRune(range, 0x61)) manifest['font-latin-' + weight] = hashed;
    out.push(
      '@font-face{font-family:Pretendard;font-style:normal;font-weight:' + weight +
        ';font-display:optional;src:url(' + hashed + ') format("woff2");unicode-range:' + range + '}'
    );
  }
  if (out.length === 0) throw new Error('pretendard: no @font-face rules for weights 400 and 700');
  return out;
}

// coversRune reports whether a CSS unicode-range value includes code point r.
function coversRune(range, r) {
  return range.split(',').some((part) => {
    const m = part.trim().match(/^U\+([0-9A-F?]+)(?:-([0-9A-F]+))?$/i);
    if (!m) return false;
    const lo = parseInt(m[1].replace(/\?/g, '0'), 16);
    const hi = m[2] ? parseInt(m[2], 16) : parseInt(m[1].replace(/\?/g, 'F'), 16);
    return r >= lo && r <= hi;
  });
}

async function buildCSS() {
  const faces = fontFaces();
  const site = fs.readFileSync(path.join(assets, 'css/site.css'), 'utf8');
  const header =
    '/*! Pretendard (c) 2021 Kil Hyung-jin, SIL Open Font License 1.1; see the licenses file. */\n';
  const { code } = await transform(faces.join('\n') + '\n' + site, {
    loader: 'css',
    minify: true,
    legalComments: 'none',
    target: ['chrome90', 'firefox90', 'safari14'],
  });
  return { buf: Buffer.from(header + code), faces: faces.length };
}

// usStates converts us-atlas' projected states to GeoJSON for
// echarts.registerMap. ECharts treats coordinates as longitude/latitude with
// north up, while the Albers projection has y growing downwards, so y is
// negated; one decimal is a tenth of a pixel at the atlas' 975x610 size.
function usStates() {
  const topo = JSON.parse(fs.readFileSync(path.join(modules, 'us-atlas/states-albers-10m.json'), 'utf8'));
  const fc = topojson.feature(topo, topo.objects.states);
  const r1 = (v) => Math.round(v * 10) / 10 || 0; // "|| 0" turns -0 into 0
  const ring = (pts) => {
    const out = [];
    for (const [x, y] of pts) {
      const p = [r1(x), r1(-y)];
      const last = out[out.length - 1];
      if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
    }
    return out.length >= 4 ? out : null; // a closed ring needs 4 positions
  };
  const polygon = (rings) => {
    const out = rings.map(ring).filter(Boolean);
    return out.length ? out : null;
  };
  const features = fc.features.map((f) => {
    const g = f.geometry;
    let geometry;
    if (g.type === 'Polygon') {
      geometry = { type: 'Polygon', coordinates: polygon(g.coordinates) };
    } else if (g.type === 'MultiPolygon') {
      geometry = { type: 'MultiPolygon', coordinates: g.coordinates.map(polygon).filter(Boolean) };
    } else {
      throw new Error('us-atlas: unexpected geometry ' + g.type);
    }
    if (!f.properties || !f.properties.name) throw new Error('us-atlas: feature without a name');
    return { type: 'Feature', id: f.id, properties: { name: f.properties.name }, geometry };
  });
  features.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { buf: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features })), count: features.length };
}

function licenses() {
  const parts = [
    ['Apache ECharts', 'echarts/LICENSE', 'echarts/NOTICE'],
    ['ZRender', 'zrender/LICENSE'],
    ['tslib', 'tslib/LICENSE.txt'],
    ['Pretendard', 'pretendard/dist/LICENSE.txt'],
    ['us-atlas (geometry derived from U.S. Census Bureau cartographic boundary files)', 'us-atlas/LICENSE'],
    ['topojson-client', 'topojson-client/LICENSE'],
  ];
  let text = 'Third-party components of the bilateral front end, with their licences.\n';
  for (const [name, ...files] of parts) {
    const version = JSON.parse(
      fs.readFileSync(path.join(modules, files[0].split('/')[0], 'package.json'), 'utf8')
    ).version;
    text += '\n' + '='.repeat(78) + '\n' + name + ' ' + version + '\n' + '='.repeat(78) + '\n';
    for (const f of files) text += '\n' + fs.readFileSync(path.join(modules, f), 'utf8').trim() + '\n';
  }
  return Buffer.from(text);
}

function kib(n) {
  return (n / 1024).toFixed(1).padStart(8) + ' KiB';
}

async function main() {
  cleanDist();

  emit('app.js', await bundle('js/app.js', { target: 'es2018', banner: {} }), 'app.js');
  emit('charts.js', await bundle('js/charts-entry.js', { target: 'es2018' }), 'charts.js');
  emit('admin.js', await bundle('js/admin.js', { target: 'es2018' }), 'admin.js');

  const css = await buildCSS();
  emit('app.css', css.buf, 'app.css');

  const states = usStates();
  const geoName = emit('us-states.json', states.buf, 'us-states.json');

  // goja implements ES2015+ but not every later feature, so lower to ES2015.
  const ssr = await bundle('js/ssr-entry.js', { target: 'es2015' });
  const ssrName = emit('echarts-ssr.js', ssr, 'echarts-ssr.js');

  const fontDir = path.join(modules, 'pretendard/dist/public/static/alternative');
  emit('fonts/Pretendard-Regular.ttf', fs.readFileSync(path.join(fontDir, 'Pretendard-Regular.ttf')), 'font-regular');
  emit('fonts/Pretendard-Bold.ttf', fs.readFileSync(path.join(fontDir, 'Pretendard-Bold.ttf')), 'font-bold');

  emit('licenses.txt', licenses(), 'licenses');

  const sorted = Object.fromEntries(Object.keys(manifest).sort().map((k) => [k, manifest[k]]));
  fs.writeFileSync(path.join(dist, 'manifest.json'), JSON.stringify(sorted, null, 2) + '\n');

  const checks = checkSSR(path.join(dist, ssrName), path.join(dist, geoName));

  console.log('web/static/dist:');
  for (const [logical, file, raw, gz] of report) {
    console.log('  ' + logical.padEnd(15) + kib(raw) + ' raw' + kib(gz) + ' gzip  ' + file);
  }
  console.log('  ' + css.faces + ' woff2 subsets (weights 400, 700) under fonts/; ' + states.count + ' map features');
  console.log('SSR check passed: ' + checks.join('; '));
}

main().catch((err) => {
  console.error('build failed: ' + (err && err.stack ? err.stack : err));
  process.exit(1);
});
