// The dashboard's two charts, drawn with uPlot: the daily trend of P90 and
// median response against the target, and the distribution of response
// times (one-minute bins) with the target marked.

import { t, num, locale, WIB_MS, wibDay, wibMidnight } from './i18n.js';
import { colour } from './dom.js';

// axis is an axis's look. uPlot draws in pixels; its words and spacing
// follow the page's type, which grows with the screen (theme.css: 1rem is
// about 18px at 1920 wide), so that a 4K wall's charts read as a 1920 one's.
// space is the least distance between ticks at 1920 wide.
function axis(space) {
  const k = parseFloat(getComputedStyle(document.documentElement).fontSize) / 18;
  const font = `${Math.round(12 * k)}px ${getComputedStyle(document.body).fontFamily}`;
  return {
    stroke: colour('muted'), grid: { stroke: '#22303f', width: 1 }, ticks: { stroke: colour('line'), size: Math.round(10 * k) },
    font, labelFont: `bold ${font}`, size: Math.round(50 * k), labelSize: Math.round(30 * k), space: Math.round(space * k),
  };
}
const DAY_S = 86400;
// COUNTS are the steps of an axis of incidents: whole numbers only.
const COUNTS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

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
const DAY_FMT_YEAR = new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Asia/Jakarta' });
const MONTH_FMT = new Intl.DateTimeFormat(locale(), { month: 'short', year: 'numeric', timeZone: 'Asia/Jakarta' });

/** dayLabel names the WIB day of a Unix time in seconds ("25 Okt"). */
function dayLabel(ts, long) { return (long ? DAY_FMT_LONG : DAY_FMT).format(new Date(ts * 1000)); }

/**
 * denseDays spreads a group_by=day report over every WIB day from from to
 * to (YYYY-MM-DD; empty: the report's first or last day): a day without
 * incidents is there with a count of 0 and no response time.
 */
export function denseDays(groups, from, to) {
  const byDay = new Map(groups.map((g) => [g.key, g]));
  const keys = groups.map((g) => g.key).filter(Boolean).sort();
  const first = from || keys[0];
  const last = to || keys[keys.length - 1];
  if (!first || !last) return [];
  const out = [];
  const end = wibMidnight(last) / 1000;
  for (let ts = wibMidnight(first) / 1000; ts <= end && out.length < 40000; ts += DAY_S) {
    const key = wibDay(ts * 1000);
    const g = byDay.get(key);
    out.push({ ts, count: g ? g.count : 0, p90: g && g.with_response ? g.p90_s / 60 : null, p50: g && g.with_response ? g.p50_s / 60 : null });
  }
  return out;
}

/**
 * tickLabels labels day ticks: with the year when the range spans more
 * than one, as months when the ticks are a month or more apart.
 */
export function tickLabels(vals, spansYears, stepS) {
  if (stepS >= 28 * DAY_S) return vals.map((v) => MONTH_FMT.format(new Date(v * 1000)));
  return vals.map((v) => (spansYears ? DAY_FMT_YEAR : DAY_FMT).format(new Date(v * 1000)));
}
function fmtMin(v) { return v == null ? '—' : `${v.toLocaleString(locale(), { maximumFractionDigits: 1 })} ${t('sup.min')}`; }

export class TrendChart {
  constructor(uPlot, el) {
    this.uPlot = uPlot;
    this.el = el;
    this.plot = null;
    resizing(el, () => this.plot);
  }

  /** update draws rep (group_by=day) over the filter's days, from–to (YYYY-MM-DD, empty: open). */
  update(rep, from = '', to = '') {
    const days = denseDays(rep.groups, from, to);
    const xs = days.map((d) => d.ts);
    const year = (ts) => wibDay(ts * 1000).slice(0, 4);
    this.spansYears = xs.length > 0 && year(xs[0]) !== year(xs[xs.length - 1]);
    const data = [xs, days.map((d) => d.p90), days.map((d) => d.p50), days.map(() => rep.target_s / 60), days.map((d) => d.count)];
    this.el.dataset.days = String(xs.length);
    this.el.dataset.ticks = '';
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    const uPlot = this.uPlot;
    this.plot = new uPlot({
      ...sizeOf(this.el),
      // Dates on the axis are WIB days, whatever the browser's zone.
      tzDate: (ts) => new Date(ts * 1000 + WIB_MS + new Date(ts * 1000).getTimezoneOffset() * 60000),
      scales: {
        x: { time: true },
        y: { range: (u, min, max) => [0, Math.max(max ?? 0, rep.target_s / 60) * 1.15] },
        n: { range: (u, min, max) => [0, Math.max(1, max ?? 0) * 3] }, // the bars stay in the lower third
      },
      axes: [
        // Ticks on whole days only: a short window would otherwise label
        // the same day twice (noon ticks).
        {
          ...axis(50), incrs: [DAY_S, 2 * DAY_S, 7 * DAY_S, 14 * DAY_S, 28 * DAY_S, 91 * DAY_S, 182 * DAY_S, 365 * DAY_S],
          values: (u, vals, axis, space, incr) => {
            const out = tickLabels(vals, this.spansYears, incr);
            this.el.dataset.ticks = out.join('|'); // what a test reads
            return out;
          },
        },
        { ...axis(30), label: t('sup.minutes'), values: (u, vals) => vals.map((v) => num(v)) },
        { ...axis(30), scale: 'n', side: 1, grid: { show: false }, label: t('sup.incidents'), incrs: COUNTS, values: (u, vals) => vals.map((v) => num(v)) },
      ],
      series: [
        { label: t('sup.date'), value: (u, v) => (v == null ? '—' : dayLabel(v, true)) },
        { label: 'P90', stroke: colour('p90'), width: 3, points: { size: 7, fill: colour('p90') }, value: (u, v) => fmtMin(v) },
        { label: t('sup.median'), stroke: colour('p50'), width: 2, dash: [4, 3], points: { size: 5, fill: colour('p50') }, value: (u, v) => fmtMin(v) },
        { label: t('sup.target'), stroke: colour('late'), width: 2, dash: [8, 6], points: { show: false }, value: (u, v) => fmtMin(v) },
        {
          label: t('sup.incidents'), scale: 'n', stroke: colour('line'), fill: 'rgba(129,147,171,.28)', width: 1,
          paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false }, value: (u, v) => (v == null ? '—' : num(v)),
        },
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
        { ...axis(50), label: t('sup.sinceCall'), incrs: [1, 2, 5, 10], values: (u, vals) => vals.map((v) => (v >= last ? `>${last}` : v)) },
        { ...axis(30), label: t('sup.incidents'), incrs: COUNTS },
      ],
      legend: { show: true },
      series: [
        { label: t('sup.range'), value: (u, v) => (v == null ? '—' : v > last ? `> ${last} ${t('sup.min')}` : `${v - binMin / 2}–${v + binMin / 2} ${t('sup.min')}`) },
        {
          label: t('tab.queue'), value: (u, v) => (v == null ? '—' : num(v)), fill: 'rgba(159,176,196,.55)', stroke: colour('p50'), width: 1,
          paths: uPlot.paths.bars({ size: [0.85, 60] }), points: { show: false },
        },
      ],
      hooks: { draw: [(u) => vline(u, this.targetMin, colour('late'))] },
    }, data, this.el);
  }
}
