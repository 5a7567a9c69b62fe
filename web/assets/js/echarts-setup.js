// The one list of ECharts modules that bilateral uses. Both bundles import it:
// app.js (the browser) and echarts-ssr.js (server-side rendering in a pure-Go
// JS engine), so a chart drawn on the page and the same chart rendered as an
// image go through identical code. Add a module here, not in an entry file.
//
// Import what you call from 'echarts/core' by name (never `import * as`) in
// browser code, so that esbuild drops the core API the page does not use.
import { use, registerTheme } from 'echarts/core';
import { LineChart, BarChart, ScatterChart, MapChart } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  MarkLineComponent,
  MarkPointComponent,
  VisualMapContinuousComponent,
  AriaComponent,
  GeoComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { LIGHT_THEME, DARK_THEME, lightTheme, darkTheme } from './theme.js';

// echarts/core already installs LabelLayout. UniversalTransition is left out:
// the charts never morph from one series type into another.
use([
  LineChart,
  BarChart,
  ScatterChart,
  MapChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  MarkLineComponent,
  MarkPointComponent,
  VisualMapContinuousComponent,
  AriaComponent,
  GeoComponent,
  SVGRenderer,
]);

registerTheme(LIGHT_THEME, lightTheme);
registerTheme(DARK_THEME, darkTheme);

export { LIGHT_THEME, DARK_THEME };
