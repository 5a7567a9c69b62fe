// Entry of echarts-ssr.js: the same ECharts build as the page, exposed as
// globalThis.echarts for the server's JS engine (no DOM, no timers, no Intl).
// The themes 'bilateral' and 'bilateral-dark' are registered, so an image can
// be drawn with echarts.init(null, 'bilateral', {renderer: 'svg', ssr: true, ...}).
import * as echarts from 'echarts/core';
import './echarts-setup.js';

globalThis.echarts = echarts;
