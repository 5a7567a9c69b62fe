// Entry of charts.js: ECharts and the interactive charts. app.js loads it
// when a reader first reaches for a chart (pointer, touch or keyboard), so
// the first view carries no charting code at all: the server's SVG image of
// each chart is what a reader sees until then.
import { enhanceCharts } from './charts.js';

enhanceCharts(document);
