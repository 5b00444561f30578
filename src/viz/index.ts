/**
 * Figures and reports (Node: PNG encoding through pngjs, files through node:fs). Re-exported by the
 * `wgan-gp/node` entry point, not by the browser-safe core.
 */
export { Canvas, decodePng, PALETTE, WHITE, BLACK, type Color, type DecodedPng, type MarkerShape, type TextOptions } from './canvas.js';
export { Axes, type AxesOptions, type LegendEntry } from './axes.js';
export { colormap, COLORMAP_STOPS } from './colormap.js';
export { contourPlot, criticGrid, REAL_COLOR, FAKE_COLOR, type ContourPlotOptions } from './contour-plot.js';
export { linePlot, type LinePlotOptions, type LineSeries } from './line-plot.js';
export { histogram, histogramPlot, type HistogramPlotOptions, type HistogramSeries } from './histogram-plot.js';
export { imageGrid, type ImageGridOptions } from './image-grid.js';
export {
  renderReport,
  writeReport,
  readMetricsJsonl,
  metricSeries,
  type MetricsRow,
  type ReportImage,
  type RenderReportOptions,
  type WriteReportOptions,
} from './report.js';
export { linearTicks, logTicks, formatNumber } from './ticks.js';
