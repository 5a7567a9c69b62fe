// Tooltip formatters. ECharts puts the returned string into the tooltip with
// innerHTML, and chart labels come from uploaded spreadsheets, so every piece
// of text taken from the data goes through esc() (echarts.format.encodeHTML).
// No style attributes either: the page's CSP (style-src 'self') would block
// them, so layout lives in site.css (.tt-*) and the series colour travels as
// an SVG presentation attribute.

import { format } from 'echarts/core';
import { formatNumber, isNumber } from './format.js';

const esc = (s) => format.encodeHTML(s == null ? '' : String(s));

const SAFE_COLOR = /^(#[0-9a-f]{3,8}|rgba?\([0-9.,\s%]+\)|hsla?\([0-9.,\s%deg]+\)|[a-z]{3,20})$/i;

function marker(color, shape) {
  const fill = typeof color === 'string' && SAFE_COLOR.test(color) ? color : 'currentColor';
  const body =
    shape === 'rect'
      ? '<rect x="0" y="0" width="10" height="10"'
      : '<circle cx="5" cy="5" r="5"';
  return (
    '<svg class="tt-marker" width="10" height="10" viewBox="0 0 10 10" aria-hidden="true" focusable="false">' +
    body + ' fill="' + esc(fill) + '"/></svg>'
  );
}

function withUnit(value, unit) {
  return esc(formatNumber(value)) + (unit ? ' ' + esc(unit) : '');
}

// pointValue extracts the number a data item stands for. Items are either
// null (a gap) or {value, unit, source, note}; scatter items may carry
// [x, y] arrays, of which the last entry is the plotted value.
function pointValue(data, value) {
  let v = data !== null && typeof data === 'object' && !Array.isArray(data) ? data.value : data;
  if (v === undefined) v = value;
  if (Array.isArray(v)) v = v[v.length - 1];
  return isNumber(v) ? v : null;
}

function meta(data) {
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? data : {};
}

function sourceLines(m) {
  let html = '';
  if (m.source) html += '<div class="tt-src">Source: ' + esc(m.source) + '</div>';
  if (m.note) html += '<div class="tt-note">Note: ' + esc(m.note) + '</div>';
  return html;
}

// NON_FINAL is the legend entry for values that are not final official
// figures (web/charts.LegendNonFinal).
const NON_FINAL = 'Preliminary or estimate';

// axisTooltip formats cartesian charts: a heading (the category, e.g. the
// year), then one row per series with its marker, name, value and unit, and
// the source on its own small line. A null item reads "no data", never 0.
export function axisTooltip(params) {
  const list = Array.isArray(params) ? params : [params];
  if (!list.length) return '';
  const first = list[0];
  const heading = first.axisValueLabel != null ? first.axisValueLabel : first.name;
  let html = '<div class="tt-head">' + esc(heading) + '</div>';
  for (const p of list) {
    // The legend's key to hollow and pale marks has no values of its own.
    if (p.seriesName === NON_FINAL) continue;
    const m = meta(p.data);
    const v = pointValue(p.data, p.value);
    const shape = p.seriesType === 'bar' ? 'rect' : 'circle';
    html += '<div class="tt-item"><div class="tt-row">' + marker(p.color, shape) +
      '<span class="tt-name">' + esc(p.seriesName) + '</span>';
    if (v === null) {
      // A recorded gap carries its reason; an absent year has none.
      html += '<span class="tt-value tt-missing">no published figure</span></div>' +
        (m.gap ? '<div class="tt-note">' + esc(m.gap) + '</div>' : '') + '</div>';
      continue;
    }
    const status = m.status ? ' <span class="tt-status">(' + esc(m.status) + ')</span>' : '';
    html += '<span class="tt-value">' + withUnit(v, m.unit) + status + '</span></div>' + sourceLines(m) + '</div>';
  }
  return html;
}

// mapTooltip formats the map: the state, its total, and each project behind
// it. Projects with counted:false are listed but marked as outside the total.
export function mapTooltip(p) {
  const d = meta(p.data);
  let html = '<div class="tt-head">' + esc(p.name) + '</div>';
  const v = pointValue(p.data, p.value);
  const projects = Array.isArray(d.projects) ? d.projects : [];
  if (v === null && !projects.length) {
    return html + '<div class="tt-row"><span class="tt-value tt-missing">no data</span></div>';
  }
  html += v === null
    ? '<div class="tt-row"><span class="tt-value tt-missing">no project counted in the totals</span></div>'
    : '<div class="tt-row"><span class="tt-name">Total</span><span class="tt-value">' + withUnit(v, d.unit) + '</span></div>';
  if (d.source) html += '<div class="tt-src">Source: ' + esc(d.source) + '</div>';
  if (projects.length) {
    html += '<ul class="tt-projects">';
    for (const pr of projects) {
      const x = meta(pr);
      const where = [x.city, x.year].filter((s) => s != null && s !== '').map(esc).join(', ');
      html += '<li><span class="tt-company">' + esc(x.company) + '</span>';
      if (where) html += ' <span class="tt-where">' + where + '</span>';
      if (isNumber(x.amount)) {
        html += '<span class="tt-amount">' + withUnit(x.amount, x.unit || d.unit) + '</span>';
      }
      if (x.counted === false) html += '<div class="tt-flag">not counted in total</div>';
      if (x.source) html += '<div class="tt-src">Source: ' + esc(x.source) + '</div>';
      html += '</li>';
    }
    html += '</ul>';
  }
  return html;
}
