// The kecamatan choropleth: each district coloured by its P90 response
// time against the target, from /api/v1/districts. No basemap: the
// outlines are the map, so it works on an air-gapped network too.

import { get } from './api.js';
import { escapeHTML, colour } from './dom.js';
import { districtLabels, drawOffline } from './offline-map.js';
import { t, minutes, translateDOM } from './i18n.js';

// Bands of P90 / target, with their colour and legend text.
const BANDS = [
// Health (docs/ui.md): within target has no hue, amber warns, red is late.
  { upTo: 0.75, color: colour('p4'), text: '≤ 75% target' },
  { upTo: 1.0, color: colour('p3'), text: '≤ target' },
  { upTo: 1.25, color: colour('warn'), text: '≤ 125% target' },
  { upTo: Infinity, color: colour('late'), text: '> 125% target' },
];
const NONE = '#33414f';

export class Choropleth {
  constructor(L, el, legendEl) {
    this.L = L;
    this.map = L.map(el, { zoomControl: true, attributionControl: false, minZoom: 9, maxZoom: 16, zoomSnap: 0.25 });
    this.map.setView([-7.275, 112.72], 11.5);
    translateDOM(el); // the zoom buttons
    this.layer = null;
    this.byName = new Map();
    this.target = 444;
    this.ready = get('/api/v1/districts').then((gj) => this.draw(gj)).catch((err) => console.error('districts', err));
    // Swatches are coloured through the DOM: the strict CSP refuses style attributes.
    legendEl.replaceChildren(...[...BANDS, { color: NONE, text: t('sup.noData') }].map((b) => {
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.style.background = b.color;
      item.append(swatch, b.text);
      return item;
    }));
    // Until the supervisor pans or zooms, the whole city stays in view
    // whatever the size of the panel (a phone lays it out after the load).
    this.touched = false;
    for (const ev of ['mousedown', 'touchstart', 'wheel', 'keydown']) el.addEventListener(ev, () => { this.touched = true; }, { passive: true });
    new ResizeObserver(() => {
      this.map.invalidateSize();
      this.fit();
    }).observe(el);
  }

  fit() {
    const b = this.layer && this.layer.getBounds();
    if (!this.touched && b && b.isValid()) this.map.fitBounds(b, { padding: [8, 8], animate: false });
  }

  draw(gj) {
    const L = this.L;
    this.layer = L.geoJSON(gj, {
      style: (f) => this.style(f),
      onEachFeature: (f, layer) => layer.bindTooltip(() => this.tooltip(f), { sticky: true }),
    }).addTo(this.map);
    districtLabels(this.L, gj).addTo(this.map);
    drawOffline(this.L, this.map);
    this.fit();
  }

  style(f) {
    const g = this.byName.get(f.properties.name);
    let fill = NONE;
    if (g && g.with_response > 0) fill = BANDS.find((b) => g.p90_s <= b.upTo * this.target).color;
    return { color: '#0b121c', weight: 1.2, fillColor: fill, fillOpacity: 0.85 };
  }

  tooltip(f) {
    const g = this.byName.get(f.properties.name);
    const name = `<b>${escapeHTML(f.properties.name)}</b>`;
    if (!g || !g.count) return `${name}<br>${escapeHTML(t('sup.tipNone'))}`;
    if (!g.with_response) return `${name}<br>${escapeHTML(t('sup.tipNoArrival', { n: g.count }))}`;
    return `${name}<br>${escapeHTML(t('sup.tipP90', { p90: minutes(g.p90_s), median: minutes(g.p50_s) }))}<br>${escapeHTML(t('sup.tipCount', { n: g.count, pct: Math.round(g.within_target * 100) }))}`;
  }

  async update(rep) {
    this.target = rep.target_s;
    this.byName = new Map(rep.groups.map((g) => [g.key, g]));
    await this.ready;
    if (this.layer) this.layer.setStyle((f) => this.style(f));
  }
}
