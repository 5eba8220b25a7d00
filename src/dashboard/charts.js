// Line charts with axes and units, drawn as SVG from the samples the server keeps (poolSamples): the
// x axis is the last hour, ending now; the y axis starts at 0 and ends at a round number above the
// highest value; a missing sample (the server was down) leaves a gap rather than a line across it.
import { el } from './dom.js';

const width = 320;
const height = 132;
const margin = { left: 40, right: 10, top: 10, bottom: 22 };
const plotWidth = width - margin.left - margin.right;
const plotHeight = height - margin.top - margin.bottom;

/**
 * @typedef {{ name: string, className: string, values: (number | null)[] }} Series
 * @typedef {{ key: string, title: string, unit: string, times: number[], intervals: number[], series: Series[],
 *   from: number, to: number, intervalMs: number, format?: (value: number) => string }} ChartSpec
 * `times`: when each sample's interval ended; `intervals`: how long each was (ms); `intervalMs`: the
 * server's sample interval now.
 */

/** The smallest of 1, 2 or 5 × 10ⁿ at or above `value` (1 for nothing to show). @param {number} value */
export function niceCeiling(value) {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((factor) => value <= factor * magnitude + 1e-9) ?? 10;
  return step * magnitude;
}

/** A value as an axis label: no more digits than it needs. @param {number} value */
export const axisNumber = (value) => (value === 0 ? '0' : Math.abs(value) >= 10 ? value.toFixed(0) : Number(value.toPrecision(2)).toString());

/** A chart of the last hour: title with units, legend, axes, one line per series. @param {ChartSpec} spec */
export function lineChart(spec) {
  const { from, to, times, series, unit } = spec;
  const format = spec.format ?? axisNumber;
  const values = series.flatMap((line) => line.values.filter((value) => value !== null));
  const top = niceCeiling(Math.max(0, ...values));
  const x = (/** @type {number} */ at) => margin.left + ((at - from) / (to - from)) * plotWidth;
  const y = (/** @type {number} */ value) => margin.top + plotHeight - (value / top) * plotHeight;

  const grid = [0, top / 2, top].map((tick) =>
    el('g', { class: 'tick y' },
      el('line', { x1: String(margin.left), x2: String(width - margin.right), y1: y(tick).toFixed(1), y2: y(tick).toFixed(1) }),
      el('text', { x: String(margin.left - 4), y: (y(tick) + 3).toFixed(1), 'text-anchor': 'end' }, `${format(tick)}${unit}`),
    ),
  );
  const minutes = Math.round((to - from) / 60_000);
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((share) => {
    const at = from + share * (to - from);
    const label = share === 1 ? 'now' : `−${Math.round(minutes * (1 - share))} min`;
    return el('g', { class: 'tick x' },
      el('line', { x1: x(at).toFixed(1), x2: x(at).toFixed(1), y1: String(margin.top + plotHeight), y2: String(margin.top + plotHeight + 4) }),
      el('text', { x: x(at).toFixed(1), y: String(height - 6), 'text-anchor': share === 0 ? 'start' : share === 1 ? 'end' : 'middle' }, label),
    );
  });
  const axes = el('g', { class: 'axes' },
    el('line', { x1: String(margin.left), x2: String(margin.left), y1: String(margin.top), y2: String(margin.top + plotHeight) }),
    el('line', { x1: String(margin.left), x2: String(width - margin.right), y1: String(margin.top + plotHeight), y2: String(margin.top + plotHeight) }),
  );
  const lines = series.flatMap((line) =>
    segments(times, spec.intervals, line.values).map((segment) =>
      segment.length === 1
        ? el('circle', { class: line.className, cx: x(segment[0][0]).toFixed(1), cy: y(segment[0][1]).toFixed(1), r: '1.8' })
        : el('polyline', { class: line.className, points: segment.map(([at, value]) => `${x(at).toFixed(1)},${y(value).toFixed(1)}`).join(' ') }),
    ),
  );
  const latest = series.map((line) => `${line.name} ${lastValue(line.values, format, unit)}`).join(', ');
  const description = times.length === 0
    ? `${spec.title}: no samples yet`
    : `${spec.title}, the last ${minutes} minutes, ${times.length} samples; now: ${latest}; axis up to ${format(top)}${unit}`;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': description, 'data-points': String(times.length), 'data-top': String(top) },
    el('title', {}, description),
    ...grid,
    ...xTicks,
    axes,
    ...lines,
    ...(times.length === 0
      ? [el('text', { class: 'no-data', x: String(margin.left + plotWidth / 2), y: String(margin.top + plotHeight / 2), 'text-anchor': 'middle' },
          `no samples yet: one every ${Math.round(spec.intervalMs / 1000)} s`)]
      : []),
  );
  const legend = el('ul', { class: 'legend' },
    ...series.map((line) =>
      el('li', { 'data-series': line.name },
        el('span', { class: `swatch ${line.className}` }), `${line.name} `,
        el('b', { 'data-last': '' }, lastValue(line.values, format, unit))),
    ),
  );
  return el('figure', { class: 'chart', 'data-chart': spec.key }, el('figcaption', {}, spec.title), legend, svg);
}

/** The last value of a series with its unit; "–" when it has none. @param {(number | null)[]} values @param {(value: number) => string} format @param {string} unit */
function lastValue(values, format, unit) {
  const last = values.at(-1);
  return last === null || last === undefined ? '–' : `${format(last)}${unit}`;
}

/**
 * Runs of points with a value, split where a value is missing or a sample came later than one and a
 * half of its interval after the one before (none was written: the servers were down).
 * @param {number[]} times @param {number[]} intervals @param {(number | null)[]} values
 * @returns {[number, number][][]}
 */
function segments(times, intervals, values) {
  /** @type {[number, number][][]} */
  const runs = [];
  /** @type {[number, number][]} */
  let run = [];
  times.forEach((at, i) => {
    const value = values[i];
    const previous = run.at(-1);
    if (value === null || value === undefined || (previous && at - previous[0] > 1.5 * (intervals[i] ?? 0))) {
      if (run.length) runs.push(run);
      run = [];
    }
    if (value !== null && value !== undefined) run.push([at, value]);
  });
  if (run.length) runs.push(run);
  return runs;
}
