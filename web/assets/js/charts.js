// Progressive enhancement of server-rendered chart figures:
//
//   <figure class="chart" data-chart="ID" [data-geo-url=… data-geo-name=…]>
//     <div class="chart-box" data-chart-box role="img" aria-label="…"></div>
//     <script type="application/json" data-chart-option>{…}</script>
//
// Each chart is initialised when its box nears the viewport, drawn with the
// SVG renderer, resized with its box and re-themed when the colour scheme
// changes. Without JavaScript the figure keeps its caption, text alternative,
// source line and links to the table and downloads.

import { init, registerMap, getInstanceByDom } from 'echarts/core';
import { LIGHT_THEME, DARK_THEME } from './echarts-setup.js';
import { axisTooltip, mapTooltip } from './tooltip.js';

const charts = []; // {figure, box, option, instance, started, drawn}
const geoLoads = new Map(); // url -> Promise<void>

const media = (q) => (window.matchMedia ? window.matchMedia(q) : null);
const darkQuery = media('(prefers-color-scheme: dark)');
const reducedMotion = media('(prefers-reduced-motion: reduce)');
let printing = false;

function themeName() {
  return darkQuery && darkQuery.matches && !printing ? DARK_THEME : LIGHT_THEME;
}

function onChange(query, fn) {
  if (!query) return;
  if (query.addEventListener) query.addEventListener('change', fn);
  else if (query.addListener) query.addListener(fn);
}

function asArray(v) {
  if (v == null) return [];
  return Array.isArray(v) ? v : [v];
}

function readOption(figure) {
  const el = figure.querySelector('script[data-chart-option]');
  if (!el) throw new Error('no option');
  return JSON.parse(el.textContent);
}

// prepareOption adds what JSON cannot carry (formatter functions) and what
// only the browser knows (reduced motion, the page's text alternative).
function prepareOption(option, box) {
  const series = asArray(option.series);
  const isMap = series.some((s) => s && s.type === 'map');

  const tooltips = asArray(option.tooltip);
  if (!tooltips.length) tooltips.push({});
  option.tooltip = tooltips.map((t) => {
    const trigger = t.trigger || (isMap ? 'item' : 'axis');
    return Object.assign({ confine: true }, t, {
      trigger,
      renderMode: 'html',
      className: 'chart-tooltip',
      formatter: isMap ? mapTooltip : axisTooltip,
    });
  });

  // A scrolling legend stays on one line, so a narrow (phone) chart does not
  // wrap its legend over the plot. On a wide chart it looks the same.
  if (option.legend) {
    option.legend = asArray(option.legend).map((l) => (l && l.type == null ? Object.assign({}, l, { type: 'scroll' }) : l));
  }

  for (const s of series) {
    // us-states.json is already projected (Albers), so keep its aspect ratio
    // instead of ECharts' 0.75 squash for longitude/latitude maps.
    if (s && s.type === 'map' && s.aspectScale == null && s.geoIndex == null) s.aspectScale = 1;
  }
  for (const g of asArray(option.geo)) {
    if (g && g.aspectScale == null) g.aspectScale = 1;
  }

  // The page background shows through; the theme sets the colours.
  option.backgroundColor = 'transparent';

  // Keep the server's text alternative instead of ECharts' generated one.
  const label = box.getAttribute('aria-label');
  if (option.aria && label) {
    option.aria = Object.assign({}, option.aria, {
      label: Object.assign({}, option.aria.label, { description: label }),
    });
  }

  if (reducedMotion && reducedMotion.matches) option.animation = false;
  return option;
}

function loadGeo(url, name) {
  if (!geoLoads.has(url)) {
    geoLoads.set(
      url,
      fetch(url, { credentials: 'same-origin' })
        .then((r) => {
          if (!r.ok) throw new Error('HTTP ' + r.status);
          return r.json();
        })
        .then((geojson) => {
          registerMap(name, geojson);
        })
    );
  }
  return geoLoads.get(url);
}

function showError(box, message) {
  // The server's image of the chart is a better fallback than a message.
  if (box.querySelector('.chart-image')) return;
  box.classList.add('chart-box--error');
  const p = document.createElement('p');
  p.className = 'chart-error';
  p.textContent = message;
  box.textContent = '';
  box.appendChild(p);
}

// Text is measured before it is drawn, so wait (briefly) for the web font's
// Latin subset; otherwise labels are laid out with a fallback font's widths.
let fontsReady = null;
function waitForFonts() {
  if (!fontsReady) {
    const fonts = document.fonts;
    fontsReady = fonts && fonts.load
      ? Promise.race([
          fonts.load('400 16px Pretendard').catch(() => {}),
          new Promise((resolve) => setTimeout(resolve, 1500)),
        ])
      : Promise.resolve();
  }
  return fontsReady;
}

// Widest chart that fits the printable width of A4 and Letter at 96 dpi.
const PRINT_WIDTH = 680;

function draw(entry) {
  const opts = { renderer: 'svg', locale: 'EN' };
  // The server's image of the chart stands in until now; the interactive
  // chart takes its place.
  for (const el of entry.box.querySelectorAll('.chart-image')) el.remove();
  // beforeprint fires before the print layout, so the box still has its
  // screen width (up to 1200px on a chart page): draw at a width that fits.
  if (printing) opts.width = Math.min(entry.box.clientWidth || PRINT_WIDTH, PRINT_WIDTH);
  entry.instance = init(entry.box, themeName(), opts);
  // Scripts (and the browser tests) reach the chart through its box.
  entry.box.bilateralChart = entry.instance;
  // setOption paints synchronously; without animation it paints the final
  // state, which is what a printout must show. Redraws (theme, print) do not
  // replay the entry animation either.
  const still = printing || entry.drawn;
  entry.drawn = true;
  entry.instance.setOption(still ? Object.assign({}, entry.option, { animation: false }) : entry.option);
}

function initChart(entry) {
  const { figure, box } = entry;
  if (entry.started) return;
  entry.started = true;
  let option;
  try {
    option = prepareOption(readOption(figure), box);
  } catch (e) {
    showError(box, 'This chart could not be drawn. The table and downloads are linked below.');
    return;
  }
  entry.option = option;
  const geoURL = figure.getAttribute('data-geo-url');
  const geoName = figure.getAttribute('data-geo-name');
  const ready = geoURL && geoName ? loadGeo(geoURL, geoName) : Promise.resolve();
  Promise.all([ready, waitForFonts()]).then(
    () => {
      try {
        draw(entry);
      } catch (e) {
        if (entry.instance) entry.instance.dispose();
        entry.instance = null;
        showError(box, 'This chart could not be drawn. The table and downloads are linked below.');
        return;
      }
      watchSize(entry);
    },
    () => showError(box, 'The map could not be loaded. The table and downloads are linked below.')
  );
}

let resizeObserver = null;
function watchSize(entry) {
  if (typeof ResizeObserver === 'undefined') return;
  if (!resizeObserver) {
    resizeObserver = new ResizeObserver((records) => {
      for (const r of records) {
        const entry = charts.find((c) => c.box === r.target);
        if (entry && entry.instance && !entry.pending) {
          entry.pending = true;
          requestAnimationFrame(() => {
            entry.pending = false;
            if (entry.instance && !entry.instance.isDisposed()) entry.instance.resize();
          });
        }
      }
    });
  }
  resizeObserver.observe(entry.box);
}

// applyTheme redraws the charts in the theme of the current colour scheme.
// A fresh instance rather than ECharts 6's setTheme(): setTheme keeps the
// decal (pattern) colours of the old theme.
function applyTheme() {
  for (const entry of charts) {
    const chart = entry.instance;
    if (!chart || chart.isDisposed()) continue;
    chart.dispose();
    draw(entry);
  }
}

export function enhanceCharts(root) {
  const figures = root.querySelectorAll('figure.chart[data-chart]');
  for (const figure of figures) {
    const box = figure.querySelector('[data-chart-box]');
    if (!box || getInstanceByDom(box)) continue;
    charts.push({ figure, box, option: null, instance: null, started: false });
  }
  if (!charts.length) return;

  if (typeof IntersectionObserver === 'undefined') {
    charts.forEach(initChart);
  } else {
    const io = new IntersectionObserver(
      (records) => {
        for (const r of records) {
          if (!r.isIntersecting) continue;
          io.unobserve(r.target);
          const entry = charts.find((c) => c.box === r.target);
          if (entry) initChart(entry);
        }
      },
      { rootMargin: '200px 0px' }
    );
    charts.forEach((c) => io.observe(c.box));
  }

  if (typeof ResizeObserver === 'undefined') {
    window.addEventListener('resize', () => {
      charts.forEach((c) => c.instance && c.instance.resize());
    });
  }

  onChange(darkQuery, applyTheme);
  onChange(media('print'), (e) => setPrinting(e.matches));
  window.addEventListener('beforeprint', () => setPrinting(true));
  window.addEventListener('afterprint', () => setPrinting(false));
}

// setPrinting redraws every chart for paper: light theme, the printed width,
// no animation, painted before the handler returns (the browser lays out the
// printout right after beforeprint). Charts not yet scrolled to start too.
function setPrinting(on) {
  if (printing === on) return;
  printing = on;
  for (const entry of charts) {
    if (!entry.started && on) initChart(entry);
  }
  applyTheme();
}
