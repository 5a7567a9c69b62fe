// ECharts themes that match web/assets/css/site.css. Keep the two in step:
// the colours below are the CSS custom properties of the light and dark schemes.

export const LIGHT_THEME = 'bilateral';
export const DARK_THEME = 'bilateral-dark';

// Single quotes only: zrender writes this into a double-quoted style="…"
// attribute of server-rendered SVG without escaping it.
export const FONT_FAMILY =
  "Pretendard, 'Apple SD Gothic Neo', 'Noto Sans KR', 'Malgun Gothic', " +
  "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";

function makeTheme(c) {
  const axis = (splitLine) => ({
    axisLine: { show: true, lineStyle: { color: c.axis } },
    axisTick: { show: true, lineStyle: { color: c.axis } },
    axisLabel: { color: c.muted, fontSize: 12 },
    nameTextStyle: { color: c.muted, fontSize: 12 },
    splitLine: { show: splitLine, lineStyle: { color: c.split } },
    splitArea: { show: false },
  });
  const decal = (extra) => Object.assign({ color: c.decal }, extra);
  return {
    darkMode: c.dark,
    color: c.palette,
    backgroundColor: 'transparent',
    gradientColor: c.gradient,
    textStyle: { fontFamily: FONT_FAMILY, color: c.text },
    title: {
      textStyle: { color: c.text, fontWeight: 700 },
      subtextStyle: { color: c.muted },
    },
    legend: {
      textStyle: { color: c.text, fontSize: 13 },
      inactiveColor: c.inactive,
      pageTextStyle: { color: c.muted },
      pageIconColor: c.accent,
      pageIconInactiveColor: c.inactive,
    },
    tooltip: {
      backgroundColor: c.surface,
      borderColor: c.border,
      borderWidth: 1,
      padding: [8, 10],
      textStyle: { color: c.text, fontSize: 13, fontFamily: FONT_FAMILY },
      axisPointer: {
        lineStyle: { color: c.axis },
        crossStyle: { color: c.axis },
        shadowStyle: { color: c.shadow },
      },
    },
    axisPointer: {
      lineStyle: { color: c.axis },
      label: { backgroundColor: c.text, color: c.bg },
    },
    categoryAxis: axis(false),
    valueAxis: Object.assign(axis(true), { axisLine: { show: false }, axisTick: { show: false } }),
    logAxis: Object.assign(axis(true), { axisLine: { show: false }, axisTick: { show: false } }),
    timeAxis: axis(false),
    line: { symbolSize: 5, lineStyle: { width: 2.5 } },
    bar: { itemStyle: { borderRadius: 0 } },
    markLine: {
      lineStyle: { color: c.muted },
      label: { color: c.text },
    },
    markPoint: { label: { color: c.bg } },
    map: {
      itemStyle: { areaColor: c.empty, borderColor: c.bg, borderWidth: 0.8 },
      label: { color: c.text },
      emphasis: {
        itemStyle: { areaColor: c.highlight, borderColor: c.text },
        label: { color: c.text },
      },
      select: {
        itemStyle: { areaColor: c.highlight },
        label: { color: c.text },
      },
    },
    geo: {
      itemStyle: { areaColor: c.empty, borderColor: c.bg },
      emphasis: { itemStyle: { areaColor: c.highlight }, label: { color: c.text } },
    },
    visualMap: {
      textStyle: { color: c.text },
      inRange: { color: c.gradient },
      outOfRange: { color: c.empty },
    },
    dataZoom: {
      borderColor: c.border,
      backgroundColor: 'transparent',
      fillerColor: c.shadow,
      textStyle: { color: c.muted },
      handleStyle: { color: c.surface, borderColor: c.axis },
      moveHandleStyle: { color: c.axis },
      dataBackground: {
        lineStyle: { color: c.axis },
        areaStyle: { color: c.split },
      },
      selectedDataBackground: {
        lineStyle: { color: c.accent },
        areaStyle: { color: c.shadow },
      },
    },
    aria: {
      decal: {
        decals: [
          decal({ dashArrayX: [1, 0], dashArrayY: [2, 5], symbolSize: 1, rotation: Math.PI / 6 }),
          decal({ symbol: 'circle', dashArrayX: [[8, 8], [0, 8, 8, 0]], dashArrayY: [6, 0], symbolSize: 0.8 }),
          decal({ dashArrayX: [1, 0], dashArrayY: [4, 3], rotation: -Math.PI / 4 }),
          decal({ dashArrayX: [[6, 6], [0, 6, 6, 0]], dashArrayY: [6, 0] }),
          decal({ dashArrayX: [[1, 0], [1, 6]], dashArrayY: [1, 0, 6, 0], rotation: Math.PI / 4 }),
          decal({ symbol: 'triangle', dashArrayX: [[9, 9], [0, 9, 9, 0]], dashArrayY: [7, 2], symbolSize: 0.75 }),
        ],
      },
    },
  };
}

export const lightTheme = makeTheme({
  dark: false,
  bg: '#ffffff',
  surface: '#ffffff',
  text: '#1b1d1f',
  muted: '#52575d',
  axis: '#7b8188',
  split: '#e3e5e8',
  border: '#c9cdd2',
  inactive: '#b3b8be',
  accent: '#1d5fa0',
  shadow: 'rgba(29, 95, 160, 0.12)',
  empty: '#eceef0',
  highlight: '#f2c14e',
  decal: 'rgba(0, 0, 0, 0.22)',
  gradient: ['#d6e6f5', '#1d5fa0', '#0b2f55'],
  palette: ['#1d5fa0', '#d9731a', '#2e8b57', '#8c3c7d', '#5a6b7b', '#b8860b', '#3ba3d0', '#b23a48'],
});

export const darkTheme = makeTheme({
  dark: true,
  bg: '#14171a',
  surface: '#1f2327',
  text: '#e7e9eb',
  muted: '#aab0b6',
  axis: '#7d848b',
  split: '#2c3136',
  border: '#454c53',
  inactive: '#5d646b',
  accent: '#6ba6e6',
  shadow: 'rgba(107, 166, 230, 0.18)',
  empty: '#2a2f34',
  highlight: '#e0b64a',
  decal: 'rgba(255, 255, 255, 0.28)',
  gradient: ['#203548', '#4f8fd0', '#bfe0ff'],
  palette: ['#6ba6e6', '#f29a4a', '#5cc08a', '#cf7fbf', '#9fb0c0', '#e0b64a', '#7fd0f0', '#ee7d8a'],
});
