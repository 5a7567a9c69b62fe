// Entry of app.js, the one script on every page that has charts (loaded
// with defer). It is small on purpose: each chart arrives as an image
// rendered on the server by the same ECharts from the same option, and the
// interactive version (charts.js, with ECharts) loads only when a reader
// points at, touches or tabs into a chart. Until then the page costs the
// phone nothing to run.

let requested = false;

function loadCharts() {
  if (requested) return;
  requested = true;
  const src = document.body && document.body.getAttribute('data-charts-src');
  if (!src) return;
  document.documentElement.classList.add('charts-loading');
  const s = document.createElement('script');
  s.src = src;
  s.async = true;
  s.addEventListener('load', () => document.documentElement.classList.remove('charts-loading'));
  document.head.appendChild(s);
}

function start() {
  const figures = document.querySelectorAll('figure.chart[data-chart]');
  if (!figures.length) return;
  const opts = { passive: true, once: true };
  for (const f of figures) {
    f.addEventListener('pointerenter', loadCharts, opts);
    f.addEventListener('touchstart', loadCharts, opts);
    f.addEventListener('focusin', loadCharts, opts);
  }
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
