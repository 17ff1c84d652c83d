// The dashboard's two charts, drawn with uPlot: the daily trend of P90 and
// median response against the target, and the distribution of response
// times (one-minute bins) with the target marked.

import { t, num, locale } from './i18n.js';

const AXIS = { stroke: '#a9b8ca', grid: { stroke: '#22303f', width: 1 }, ticks: { stroke: '#2a3a50' } };
const WIB_MS = 7 * 3600 * 1000;

function sizeOf(el) {
  return { width: Math.max(200, el.clientWidth), height: Math.max(160, el.clientHeight - 36) };
}

/** resizing redraws a chart at its container's size. */
function resizing(el, getPlot) {
  new ResizeObserver(() => {
    const p = getPlot();
    if (p) p.setSize(sizeOf(el));
  }).observe(el);
}

/** vline draws a dashed vertical line at x (in x-scale units). */
function vline(u, x, color) {
  const ctx = u.ctx;
  const px = u.valToPos(x, 'x', true);
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = 2 * devicePixelRatio;
  ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
  ctx.beginPath();
  ctx.moveTo(px, u.bbox.top);
  ctx.lineTo(px, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.restore();
}

// The charts are drawn in the language of the page's load (a switch reloads it).
const DAY_FMT = new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', timeZone: 'Asia/Jakarta' });
const DAY_FMT_LONG = new Intl.DateTimeFormat(locale(), { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Asia/Jakarta' });

/** dayLabel names the WIB day of a Unix time in seconds ("25 Okt"). */
function dayLabel(ts, long) { return (long ? DAY_FMT_LONG : DAY_FMT).format(new Date(ts * 1000)); }

function fmtMin(v) { return v == null ? '—' : `${v.toLocaleString(locale(), { maximumFractionDigits: 1 })} ${t('sup.min')}`; }

export class TrendChart {
  constructor(uPlot, el) {
    this.uPlot = uPlot;
    this.el = el;
    this.plot = null;
    resizing(el, () => this.plot);
  }

  update(rep) {
    const days = rep.groups.filter((g) => g.count > 0);
    const xs = days.map((g) => Date.parse(`${g.key}T00:00:00+07:00`) / 1000);
    const p90 = days.map((g) => (g.with_response ? g.p90_s / 60 : null));
    const p50 = days.map((g) => (g.with_response ? g.p50_s / 60 : null));
    const target = days.map(() => rep.target_s / 60);
    const data = [xs, p90, p50, target];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    const uPlot = this.uPlot;
    this.plot = new uPlot({
      ...sizeOf(this.el),
      // Dates on the axis are WIB days, whatever the browser's zone.
      tzDate: (ts) => new Date(ts * 1000 + WIB_MS + new Date(ts * 1000).getTimezoneOffset() * 60000),
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max ?? 0, rep.target_s / 60) * 1.15] } },
      axes: [
        // Ticks on whole days only: a short window would otherwise label
        // the same day twice (noon ticks).
        { ...AXIS, incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 91 * 86400, 365 * 86400], values: (u, vals) => vals.map((v) => dayLabel(v)) },
        { ...AXIS, label: t('sup.minutes'), values: (u, vals) => vals.map((v) => num(v)) },
      ],
      series: [
        { label: t('sup.date'), value: (u, v) => (v == null ? '—' : dayLabel(v, true)) },
        { label: 'P90', stroke: '#ff9f0a', width: 3, points: { size: 7, fill: '#ff9f0a' }, value: (u, v) => fmtMin(v) },
        { label: t('sup.median'), stroke: '#5ac8fa', width: 2, points: { size: 5, fill: '#5ac8fa' }, value: (u, v) => fmtMin(v) },
        { label: t('sup.target'), stroke: '#f3f6fa', width: 2, dash: [8, 6], points: { show: false }, value: (u, v) => fmtMin(v) },
      ],
    }, data, this.el);
  }
}

export class DistChart {
  constructor(uPlot, el) {
    this.uPlot = uPlot;
    this.el = el;
    this.plot = null;
    this.targetMin = 7.4;
    resizing(el, () => this.plot);
  }

  update(rep) {
    const h = rep.histogram;
    const binMin = h.bin_s / 60;
    const xs = h.counts.map((_, i) => i * binMin + binMin / 2);
    xs.push(h.counts.length * binMin + binMin / 2);
    const ys = [...h.counts, h.over];
    this.targetMin = rep.target_s / 60;
    const data = [xs, ys];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    const uPlot = this.uPlot;
    const last = h.counts.length * binMin;
    this.plot = new uPlot({
      ...sizeOf(this.el),
      scales: { x: { time: false, range: [0, last + binMin] }, y: { range: (u, min, max) => [0, Math.max(1, max) * 1.1] } },
      axes: [
        { ...AXIS, label: t('sup.sinceCall'), incrs: [1, 2, 5, 10], values: (u, vals) => vals.map((v) => (v >= last ? `>${last}` : v)) },
        { ...AXIS, label: t('sup.incidents') },
      ],
      legend: { show: true },
      series: [
        { label: t('sup.range'), value: (u, v) => (v == null ? '—' : v > last ? `> ${last} ${t('sup.min')}` : `${v - binMin / 2}–${v + binMin / 2} ${t('sup.min')}`) },
        {
          label: t('tab.queue'), value: (u, v) => (v == null ? '—' : num(v)), fill: 'rgba(90,200,250,.55)', stroke: '#5ac8fa', width: 1,
          paths: uPlot.paths.bars({ size: [0.85, 60] }), points: { show: false },
        },
      ],
      hooks: { draw: [(u) => vline(u, this.targetMin, '#ff453a')] },
    }, data, this.el);
  }
}
