// Entry of app.js, the one script on every page (loaded with defer).
import { enhanceCharts } from './charts.js';

function start() {
  enhanceCharts(document);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
