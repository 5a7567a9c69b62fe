// Checks that echarts-ssr.js renders charts in an environment like the
// server's pure-Go JS engine (goja): a bare JS realm with no DOM, no console,
// no Intl and only no-op timers. build.mjs runs it after every build and
// fails if it throws; it can also be run alone:
//
//   node web/assets/ssr-check.mjs [echarts-ssr.js] [us-states.json]
//
// (default: the files named in web/static/dist/manifest.json).

import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

function assert(cond, message) {
  if (!cond) throw new Error('SSR check: ' + message);
}

function newRealm(code, file) {
  const context = vm.createContext({
    setTimeout: () => 0,
    clearTimeout: () => {},
  });
  // A V8 realm brings Intl, console and WebAssembly; goja guarantees none.
  vm.runInContext('delete globalThis.Intl; delete globalThis.console; delete globalThis.WebAssembly;', context);
  vm.runInContext(code, context, { filename: path.basename(file) });
  return context;
}

// assertWellFormed is a small XML well-formedness check (the server parses
// these SVGs to draw PNG and PDF): every tag is <name attr="value" …>, no raw
// '<' or stray '&' in text or attribute values, and tags nest.
function assertWellFormed(svg, what) {
  const body = svg.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  const stack = [];
  const tagRe = /<[^>]*>/g;
  const attrs = /^<([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*(?:="[^"<]*")?)*)\s*(\/?)>$/;
  const badAmp = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i;
  let last = 0;
  let m;
  while ((m = tagRe.exec(body))) {
    const text = body.slice(last, m.index);
    assert(!text.includes('<') && !badAmp.test(text), what + ': bad text ' + JSON.stringify(text.slice(0, 80)));
    last = tagRe.lastIndex;
    const tag = m[0];
    if (tag.startsWith('</')) {
      const name = tag.slice(2, -1).trim();
      assert(stack.pop() === name, what + ': mismatched ' + tag);
      continue;
    }
    if (tag.startsWith('<?') || tag.startsWith('<!')) continue;
    const a = tag.match(attrs);
    assert(a, what + ': malformed tag ' + tag.slice(0, 160));
    assert(!badAmp.test(a[2]), what + ': raw & in attribute ' + tag.slice(0, 160));
    if (!a[3]) stack.push(a[1]);
  }
  assert(stack.length === 0, what + ': unclosed ' + stack.join(','));
}

const INJECTION = '</text><script>alert(1)</script><img src=x onerror=alert(1)>';

const barLine = {
  animation: false,
  aria: { enabled: true, decal: { show: true } },
  legend: {},
  grid: { left: 50, right: 50, top: 40, bottom: 40 },
  xAxis: { type: 'category', data: ['2015', '2016', '2017', '2018', '2019'] },
  yAxis: [{ type: 'value', name: 'USD billion' }, { type: 'value', name: '%' }],
  series: [
    {
      name: 'Exports ' + INJECTION,
      type: 'bar',
      data: [
        { value: 43.4, unit: 'USD billion', source: 'Census' },
        null,
        { value: 48.3, unit: 'USD billion', source: 'Census' },
        { value: 56.3, unit: 'USD billion', source: 'Census' },
        { value: 56.9, unit: 'USD billion', source: 'Census', note: 'n' },
      ],
    },
    {
      name: 'Share',
      type: 'line',
      yAxisIndex: 1,
      data: [{ value: 2.9 }, { value: 3.0 }, null, { value: 3.4 }, { value: 3.5 }],
      markLine: { data: [{ type: 'average' }] },
    },
  ],
};

function renderBarLine(echarts, theme) {
  const chart = echarts.init(null, theme, { renderer: 'svg', ssr: true, width: 800, height: 450 });
  chart.setOption(barLine);
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

export function checkSSR(ssrFile, geoFile) {
  const code = fs.readFileSync(ssrFile, 'utf8');
  const ctx = newRealm(code, ssrFile);
  const echarts = ctx.echarts;
  assert(echarts && typeof echarts.init === 'function', 'globalThis.echarts.init is missing');
  const done = ['echarts ' + echarts.version];

  for (const theme of [null, 'bilateral', 'bilateral-dark']) {
    const svg = renderBarLine(echarts, theme);
    assert(typeof svg === 'string' && svg.startsWith('<svg'), 'renderToSVGString did not return an SVG');
    assert(/width="800"/.test(svg) && /height="450"/.test(svg), 'SVG is not 800x450');
    assert((svg.match(/<path/g) || []).length > 10, 'SVG has too few paths for bars and a line');
    assert(svg.includes('>2019<') && svg.includes('>Exports '), 'axis or legend text missing');
    assert(!svg.includes('NaN'), 'a gap (null) produced NaN coordinates');
    assert(!/<script|<img/i.test(svg), 'text from the data was not escaped');
    assert(svg.includes('&lt;/text&gt;'), 'escaped label text missing');
    assertWellFormed(svg, 'bar+line SVG (' + (theme || 'default') + ' theme)');
  }
  done.push('bar+line SVG in 3 themes (gaps, escaping, well-formed XML)');

  if (geoFile) {
    const geo = JSON.parse(fs.readFileSync(geoFile, 'utf8'));
    echarts.registerMap('us-states', geo);
    const chart = echarts.init(null, 'bilateral', { renderer: 'svg', ssr: true, width: 800, height: 500 });
    chart.setOption({
      animation: false,
      visualMap: { type: 'continuous', min: 0, max: 10000, calculable: true },
      series: [
        {
          type: 'map',
          map: 'us-states',
          aspectScale: 1,
          data: [
            { name: 'Georgia', value: 9500, unit: 'USD million' },
            { name: 'Minnesota', value: 1200, unit: 'USD million' },
          ],
        },
      ],
    });
    const svg = chart.renderToSVGString();
    assert(svg.startsWith('<svg') && (svg.match(/<path/g) || []).length >= 51, 'map SVG has too few paths');
    assertWellFormed(svg, 'map SVG');
    // Right way up: Alaska's inset lies below and left of Maine.
    const centre = (name) => {
      const f = geo.features.find((x) => x.properties.name === name);
      assert(f, 'feature ' + name + ' missing');
      const pts = JSON.stringify(f.geometry.coordinates).match(/-?\d+(\.\d+)?,-?\d+(\.\d+)?/g);
      const xy = pts.map((p) => p.split(',').map(Number));
      const avg = (i) => xy.reduce((s, p) => s + p[i], 0) / xy.length;
      return chart.convertToPixel({ seriesIndex: 0 }, [avg(0), avg(1)]);
    };
    const ak = centre('Alaska');
    const me = centre('Maine');
    const fl = centre('Florida');
    assert(ak[1] > me[1] && ak[0] < me[0], 'map is upside down or mirrored (Alaska ' + ak + ', Maine ' + me + ')');
    assert(fl[1] > me[1], 'map is upside down (Florida above Maine)');
    chart.dispose();
    done.push('us-states map SVG, right way up');
  }
  return done;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../static/dist');
  let [ssrFile, geoFile] = process.argv.slice(2);
  if (!ssrFile) {
    const manifest = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8'));
    ssrFile = path.join(dist, manifest['echarts-ssr.js']);
    geoFile = path.join(dist, manifest['us-states.json']);
  }
  try {
    console.log('SSR check passed: ' + checkSSR(ssrFile, geoFile).join('; '));
  } catch (err) {
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
  }
}
