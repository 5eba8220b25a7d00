// A small SVG writer for the benchmark charts: horizontal bars, grouped, on a linear or log axis,
// with optional vertical markers (a lower bound, a goal). Plain text out, no dependencies.

export interface Bar {
  label: string;
  value: number;
  /** Shown at the end of the bar; default: the value and the unit. */
  text?: string;
  color?: string;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface Marker {
  value: number;
  label: string;
  color?: string;
}

export interface BarChart {
  title: string;
  subtitle?: string;
  unit: string;
  groups: BarGroup[];
  markers?: Marker[];
  /** Log axis, for values that span orders of magnitude (latencies). */
  log?: boolean;
  /**
   * Linear axis only: the axis ends here even if a bar is longer. Longer bars are cut at the edge,
   * marked with a break, and keep their own text, so one outlier does not squash every other bar.
   */
  axisMax?: number;
}

export const palette = ['#2f6fba', '#e07b28', '#3a9d5d', '#b8423c', '#7d5ab5', '#8c6d31'];
/** The colour of a goal's marker line. */
export const goalColor = '#3a9d5d';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const niceStep = (span: number, ticks: number) => {
  const raw = span / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw);
  return step ?? 10 * power;
};

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Renders the chart as a standalone SVG document. */
export function barChart(chart: BarChart): string {
  const left = 230;
  const right = 120;
  const plotWidth = 560;
  const barHeight = 18;
  const barGap = 4;
  const groupGap = 14;
  const top = chart.subtitle ? 64 : 44;
  const values = chart.groups.flatMap((group) => group.bars.map((bar) => bar.value)).concat((chart.markers ?? []).map((m) => m.value));
  const finite = values.filter((value) => Number.isFinite(value) && (!chart.log || value > 0));
  const maxValue = Math.max(...finite, chart.log ? 1 : 0);
  const axisTop = !chart.log && chart.axisMax !== undefined ? Math.min(maxValue, chart.axisMax) : maxValue;

  let scale: (value: number) => number;
  let ticks: number[];
  /** Where the axis ends: a longer bar is cut there. */
  let axisEnd = Number.POSITIVE_INFINITY;
  if (chart.log) {
    const low = 10 ** Math.floor(Math.log10(Math.min(...finite, maxValue)));
    const high = 10 ** Math.ceil(Math.log10(maxValue));
    scale = (value) => (value <= 0 ? 0 : ((Math.log10(Math.max(value, low)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * plotWidth);
    ticks = [];
    for (let tick = low; tick <= high * 1.0001; tick *= 10) ticks.push(tick);
  } else {
    const step = niceStep(axisTop || 1, 5);
    const high = Math.ceil((axisTop || 1) / step) * step;
    axisEnd = high;
    scale = (value) => (Math.min(Math.max(0, value), high) / high) * plotWidth;
    ticks = [];
    for (let tick = 0; tick <= high + step / 2; tick += step) ticks.push(tick);
  }

  const rows: string[] = [];
  let y = top;
  chart.groups.forEach((group, groupIndex) => {
    if (group.label) {
      rows.push(`<text x="10" y="${y + 12}" font-weight="bold">${escape(group.label)}</text>`);
      y += 18;
    }
    group.bars.forEach((bar, barIndex) => {
      const width = Number.isFinite(bar.value) ? Math.max(1, scale(bar.value)) : 0;
      const color = bar.color ?? palette[(chart.groups.length > 1 ? barIndex : groupIndex + barIndex) % palette.length];
      const text = bar.text ?? (Number.isFinite(bar.value) ? `${formatValue(bar.value)} ${chart.unit}` : 'not measured');
      rows.push(`<text x="${left - 8}" y="${y + 13}" text-anchor="end">${escape(bar.label)}</text>`);
      const clipped = Number.isFinite(bar.value) && bar.value > axisEnd;
      rows.push(`<rect x="${left}" y="${y}" width="${width.toFixed(1)}" height="${barHeight}" fill="${color}"/>`);
      if (clipped) {
        // Cut at the axis' end: two white slashes near the tip say the bar goes on.
        for (const offset of [16, 10]) rows.push(`<line x1="${(left + width - offset).toFixed(1)}" y1="${y + barHeight + 1}" x2="${(left + width - offset + 5).toFixed(1)}" y2="${y - 1}" stroke="#fff" stroke-width="2"/>`);
      }
      // A cut bar fills the plot: its text goes inside it, before the break, rather than past the edge.
      if (clipped) rows.push(`<text x="${(left + width - 24).toFixed(1)}" y="${y + 13}" text-anchor="end" fill="#fff">${escape(text)}</text>`);
      else rows.push(`<text x="${left + width + 6}" y="${y + 13}">${escape(text)}</text>`);
      y += barHeight + barGap;
    });
    y += groupGap;
  });
  const bottom = y;
  const axis: string[] = [];
  for (const tick of ticks) {
    const x = left + scale(tick);
    axis.push(`<line x1="${x.toFixed(1)}" y1="${top - 6}" x2="${x.toFixed(1)}" y2="${bottom}" stroke="#ddd"/>`);
    axis.push(`<text x="${x.toFixed(1)}" y="${bottom + 16}" text-anchor="middle" fill="#555">${escape(String(Number(tick.toPrecision(3))))}</text>`);
  }
  axis.push(`<text x="${left + plotWidth / 2}" y="${bottom + 34}" text-anchor="middle" fill="#555">${escape(chart.unit)}${chart.log ? ' (log scale)' : ''}</text>`);
  // Marker lines cross the plot; their labels go in a legend under the axis, where no bar is.
  const width = left + plotWidth + right;
  let legendX = left;
  let legendY = bottom + 54;
  const markers = (chart.markers ?? []).map((marker) => {
    const x = left + scale(marker.value);
    const color = marker.color ?? '#444';
    const label = `${marker.label} (${formatValue(marker.value)} ${chart.unit})`;
    // An item that would run past the right edge starts a new legend line.
    if (legendX > left && legendX + 30 + label.length * 6.5 > width - 10) {
      legendX = left;
      legendY += 18;
    }
    const item =
      `<line x1="${x.toFixed(1)}" y1="${top - 6}" x2="${x.toFixed(1)}" y2="${bottom}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 3"/>` +
      `<line x1="${legendX}" y1="${legendY - 4}" x2="${legendX + 24}" y2="${legendY - 4}" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 3"/>` +
      `<text x="${legendX + 30}" y="${legendY}" fill="${color}">${escape(label)}</text>`;
    legendX += 40 + label.length * 6.5;
    return item;
  });
  const height = markers.length > 0 ? legendY + 16 : bottom + 48;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="16" font-weight="bold">${escape(chart.title)}</text>`,
    chart.subtitle ? `<text x="10" y="42" fill="#555">${escape(chart.subtitle)}</text>` : '',
    ...axis,
    ...rows,
    ...markers,
    '</svg>',
    '',
  ].join('\n');
}
