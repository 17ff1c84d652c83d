// The wall map: Leaflet with a basemap (configurable tiles), kecamatan
// outlines and names (the usable map when tiles cannot load), incidents,
// units and cameras, each a layer the dispatcher can switch off.

import { label, duration, translateDOM } from './i18n.js';
import { categoryIcon, unitIcon } from './icons.js';
import { escapeHTML, colour } from './dom.js';
import { districtLabels, drawOffline } from './offline-map.js';

const SURABAYA = [-7.275, 112.72];
const TILE_OFFLINE_AFTER_MS = 4000;

export class WallMap {
  /**
   * @param L the Leaflet module
   * @param {HTMLElement} el
   * @param cfg the server's /api/v1/config
   * @param store the Store
   * @param h handlers: incident(id) when an incident marker is clicked, camera(id) when a camera is,
   *   pick(latlng) on a map click
   * @param opts cameraRadius: the camera dots' radius in pixels (bigger for touch screens)
   */
  constructor(L, el, cfg, store, h, opts = {}) {
    this.L = L;
    this.store = store;
    this.h = h;
    this.map = L.map(el, { zoomControl: true, attributionControl: true, preferCanvas: false, minZoom: 10, maxZoom: 19, zoomSnap: 0.25 })
      .setView(SURABAYA, 12);
    this.map.attributionControl.setPrefix(false);
    translateDOM(el); // the zoom buttons
    // Panes keep the order the eye needs whatever loads first: district
    // fills under everything, camera dots and clusters (the dots' canvas
    // would catch the clusters' clicks) under the district names, the names
    // under the markers.
    for (const [name, z] of [['districts', 250], ['camDots', 370], ['camClusters', 380], ['districtLabels', 390]]) {
      this.map.createPane(name).style.zIndex = String(z);
    }
    this.layers = {
      districts: L.layerGroup(),
      cameras: L.layerGroup(),
      routes: L.layerGroup(),
      units: L.layerGroup(),
      incidents: L.layerGroup(),
    };
    // Routes: every unit on its way (thin), the recommendation under the
    // pointer (bold, on top); arrival times for the countdown on units.
    this.unitRoutes = new Map(); // unit id → {line, arriveAt}
    this.recRoute = null;
    this.cameraRadius = opts.cameraRadius || 5;
    // tolerance widens the clickable ring around each dot for fingers.
    this.camRenderer = L.canvas({ pane: 'camDots', padding: 0.3, tolerance: opts.cameraRadius ? 6 : 0 });
    this.markers = { incidents: new Map(), units: new Map(), cameras: new Map() };
    this.selected = null;
    this.basemap = null;
    if (cfg.tiles) this.addTiles(cfg.tiles, cfg.tile_attribution);
    else el.classList.add('tiles-off');
    for (const name of ['districts', 'cameras', 'routes', 'units', 'incidents']) this.layers[name].addTo(this.map);
    this.map.on('click', (e) => this.h.pick(e.latlng));
    // Zoomed out to the whole city, the callsigns of units idle at their
    // stations only hide the ones that matter: show those of busy units.
    const far = () => {
      el.classList.toggle('far', this.map.getZoom() < 13.5);
      el.dataset.zoom = String(this.map.getZoom()); // for the browser tests
    };
    this.map.on('zoomend', far);
    far();
    this.pickMarker = null;
  }

  addTiles(url, attribution) {
    const L = this.L;
    const el = this.map.getContainer();
    this.basemap = L.tileLayer(url, { attribution, maxZoom: 19, crossOrigin: false, className: 'basemap' });
    let loaded = false;
    let timer = null;
    // Air-gapped centers (and the tests: no network) get errors or nothing
    // at all; either way, after a while say so and lean on the districts.
    const offline = () => { if (!loaded) el.classList.add('tiles-offline'); };
    timer = setTimeout(offline, TILE_OFFLINE_AFTER_MS);
    this.basemap.on('tileload', () => {
      loaded = true;
      clearTimeout(timer);
      el.classList.remove('tiles-offline');
    });
    this.basemap.on('tileerror', () => {
      if (!loaded) { clearTimeout(timer); timer = setTimeout(offline, 500); }
    });
    this.basemap.addTo(this.map);
  }

  /** toggle shows or hides one layer (incidents, units, cameras, districts, basemap). */
  toggle(name, on) {
    const layer = name === 'basemap' ? this.basemap : this.layers[name];
    if (!layer) return;
    if (on) layer.addTo(this.map);
    else layer.remove();
  }

  setDistricts(geojson) {
    const L = this.L;
    this.layers.districts.clearLayers();
    L.geoJSON(geojson, {
      filter: (f) => f.geometry && f.geometry.type !== 'Point',
      style: () => ({ className: 'district', weight: 2, fillOpacity: 1 }),
      interactive: false,
      pane: 'districts',
    }).addTo(this.layers.districts);
    this.fit();
    districtLabels(L, geojson, 'districtLabels').addTo(this.layers.districts);
    if (!this.offlineDrawn) { this.offlineDrawn = true; drawOffline(L, this.map); }
  }

  /** fit shows the whole city (the districts' extent). */
  fit() {
    const size = this.map.getSize();
    this.fittedHidden = size.x === 0 || size.y === 0;
    // Outlines only: the names layer (a plain group) has no extent.
    const b = this.L.featureGroup(this.layers.districts.getLayers().filter((l) => l.getBounds)).getBounds();
    if (b.isValid()) this.map.fitBounds(b, { padding: [8, 8] });
  }

  render(kinds) {
    if (kinds.has('incidents')) this.renderIncidents();
    if (kinds.has('units') || kinds.has('positions')) this.renderUnits();
    if (kinds.has('cameras')) this.renderCameras();
  }

  renderIncidents() {
    const seen = new Set();
    for (const inc of this.store.incidents.values()) {
      seen.add(inc.id);
      const html = `<div class="inc-mark p${Math.min(inc.priority, 4)} st-${inc.status}${inc.id === this.selected ? ' selected' : ''}">${categoryIcon(inc.category)}</div>`;
      this.upsert('incidents', inc.id, inc.location, html, 44,
        { riseOnHover: true, zIndexOffset: 1000, title: `${inc.number} ${label('cat', inc.category)}` },
        (m) => m.on('click', () => this.h.incident(inc.id)));
    }
    removeMissing(this.markers.incidents, seen);
  }

  renderUnits() {
    const seen = new Set();
    const now = Date.now();
    for (const u of this.store.units.values()) {
      seen.add(u.id);
      const r = this.unitRoutes.get(u.id);
      const eta = r ? `<em class="eta-count">${escapeHTML(duration((r.arriveAt - now) / 1000))}</em>` : '';
      const html = `<div class="unit-mark us-${u.status}">${unitIcon(u.type)}<span>${escapeHTML(u.callsign)}</span>${eta}</div>`;
      this.upsert('units', u.id, u.location, html, 30, { interactive: false });
    }
    removeMissing(this.markers.units, seen);
  }

  // upsert places one marker of a layer, touching the DOM only for what
  // changed: a wall redraws dozens of markers every second.
  upsert(layer, id, loc, html, size, opts, created) {
    const L = this.L;
    const ll = [loc.lat, loc.lon];
    let m = this.markers[layer].get(id);
    if (!m) {
      m = L.marker(ll, { keyboard: false, ...opts });
      if (created) created(m);
      m.addTo(this.layers[layer]);
      this.markers[layer].set(id, m);
    }
    if (m._html !== html) {
      m.setIcon(L.divIcon({ className: 'mark-wrap', html, iconSize: [size, size], iconAnchor: [size / 2, size / 2] }));
      m._html = html;
    }
    const cur = m.getLatLng();
    if (cur.lat !== ll[0] || cur.lng !== ll[1]) m.setLatLng(ll);
  }

  // renderCameras draws every camera as a dot when zoomed in; zoomed out,
  // cameras closer than CLUSTER_PX on screen merge into one counted disc,
  // so 2,200 cameras do not bury the district names. Clicking a disc
  // zooms in on its cameras.
  renderCameras() {
    const L = this.L;
    const seen = new Set();
    for (const c of this.store.cameras.values()) {
      seen.add(c.id);
      let m = this.markers.cameras.get(c.id);
      if (!m) {
        m = L.circleMarker([c.location.lat, c.location.lon], { renderer: this.camRenderer, radius: this.cameraRadius, weight: 1 });
        m.on('click', (e) => { L.DomEvent.stop(e); if (this.h.camera) this.h.camera(c.id); });
        m.bindTooltip(() => `${escapeHTML(c.name)} — ${label('cstatus', this.store.cameras.get(c.id)?.status)}`);
        this.markers.cameras.set(c.id, m);
      }
      m.setStyle(cameraStyle(c.status));
    }
    removeMissing(this.markers.cameras, seen);
    this.clusterCameras();
  }

  clusterCameras() {
    const L = this.L;
    const layer = this.layers.cameras;
    if (!this.camClusters) {
      this.camClusters = L.layerGroup().addTo(layer);
      this.map.on('zoomend', () => this.clusterCameras());
    }
    this.camClusters.clearLayers();
    const zoom = this.map.getZoom();
    const cells = new Map(); // grid cell → camera ids
    for (const [id, m] of this.markers.cameras) {
      if (zoom >= CLUSTER_UNTIL_ZOOM) { cells.set(id, [id]); continue; }
      const p = this.map.project(m.getLatLng(), zoom);
      const key = `${Math.floor(p.x / CLUSTER_PX)},${Math.floor(p.y / CLUSTER_PX)}`;
      const ids = cells.get(key);
      if (ids) ids.push(id); else cells.set(key, [id]);
    }
    for (const ids of cells.values()) {
      if (ids.length === 1) {
        const m = this.markers.cameras.get(ids[0]);
        if (!layer.hasLayer(m)) m.addTo(layer);
        continue;
      }
      let lat = 0, lon = 0;
      const count = { online: 0, stalled: 0, offline: 0, unknown: 0 };
      for (const id of ids) {
        const m = this.markers.cameras.get(id);
        if (layer.hasLayer(m)) m.remove();
        const ll = m.getLatLng();
        lat += ll.lat; lon += ll.lng;
        const st = this.store.cameras.get(id)?.status;
        count[st in count ? st : 'unknown']++;
      }
      const n = ids.length;
      const size = n < 10 ? 20 : n < 100 ? 26 : 32;
      // The disc's colour is the share of online cameras (green, amber,
      // red), grey while most are not probed yet.
      const health = count.unknown * 2 > n ? 'unknown'
        : count.online / n >= 0.8 ? 'online' : count.online / n >= 0.4 ? 'stalled' : 'offline';
      const tip = CAMERA_STATUSES.filter((s) => count[s]).map((s) => `${label('cstatus', s)} ${count[s]}`).join(' · ');
      const bounds = L.latLngBounds(ids.map((id) => this.markers.cameras.get(id).getLatLng()));
      L.marker([lat / n, lon / n], {
        keyboard: false, pane: 'camClusters',
        icon: L.divIcon({ className: 'mark-wrap', html: `<div class="cam-cluster ch-${health}">${n}</div>`, iconSize: [size, size], iconAnchor: [size / 2, size / 2] }),
      }).bindTooltip(tip).on('click', (e) => {
        L.DomEvent.stop(e);
        this.map.fitBounds(bounds.pad(0.3), { maxZoom: CLUSTER_UNTIL_ZOOM });
      }).addTo(this.camClusters);
    }
  }

  select(id) {
    this.selected = id;
    this.renderIncidents();
    const inc = id && this.store.incidents.get(id);
    if (inc) this.map.panTo([inc.location.lat, inc.location.lon], { animate: true });
    else if (!id) this.fit(); // back to the whole city when the detail closes
  }

  /** showPick marks where the new incident will be (null removes the mark). */
  showPick(latlng) {
    if (this.pickMarker) { this.pickMarker.remove(); this.pickMarker = null; }
    if (!latlng) return;
    this.pickMarker = this.L.marker(latlng, {
      interactive: false,
      icon: this.L.divIcon({ className: 'mark-wrap', html: '<div class="pick-mark"></div>', iconSize: [36, 36], iconAnchor: [18, 18] }),
    }).addTo(this.map);
  }

  invalidate() {
    this.map.invalidateSize();
    // A map shown after it was hidden (the phone's tabs) was fitted with no
    // size: fit the city again, which re-clusters the cameras.
    if (this.fittedHidden) { this.fittedHidden = false; this.fit(); }
  }

  /**
   * showRecRoute draws the route of the recommendation under the pointer
   * (a GeoJSON LineString; null removes it); straight marks a
   * straight-line estimate, drawn dashed.
   */
  showRecRoute(geometry, straight) {
    if (this.recRoute) { this.recRoute.remove(); this.recRoute = null; }
    if (!geometry) return;
    this.recRoute = this.L.geoJSON(geometry, {
      interactive: false,
      style: () => ({ className: `route-rec${straight ? ' straight' : ''}`, weight: 7, opacity: 1 }),
    }).addTo(this.layers.routes);
    // A route of a few kilometres is a speck on the whole city: bring it
    // into view, close enough to read its streets.
    const b = this.recRoute.getBounds();
    if (b.isValid() && (this.map.getZoom() < 14 || !this.map.getBounds().contains(b))) {
      this.map.fitBounds(b.pad(0.25), { maxZoom: 16, animate: false });
    }
  }

  /**
   * setUnitRoutes draws each moving unit's route: routes maps unit id to
   * {geometry, arriveAt (ms)}; the unit's marker counts down to arriveAt.
   */
  setUnitRoutes(routes) {
    for (const [id, r] of this.unitRoutes) {
      if (!routes.has(id) || routes.get(id).geometry !== r.geometry) { r.line.remove(); this.unitRoutes.delete(id); }
    }
    for (const [id, r] of routes) {
      const cur = this.unitRoutes.get(id);
      if (cur) { cur.arriveAt = r.arriveAt; continue; }
      const line = this.L.geoJSON(r.geometry, { interactive: false, style: () => ({ className: 'route-unit', weight: 4, opacity: 0.9 }) })
        .addTo(this.layers.routes);
      this.unitRoutes.set(id, { line, geometry: r.geometry, arriveAt: r.arriveAt });
    }
    this.renderUnits();
  }
}


// Cameras cluster below this zoom, within squares of CLUSTER_PX pixels.
const CLUSTER_UNTIL_ZOOM = 15;
const CLUSTER_PX = 64;
const CAMERA_STATUSES = ['online', 'stalled', 'offline', 'unknown'];

// A camera's health (docs/ui.md): online a filled light dot, stalled
// amber, offline a hollow red ring (fill says it without the hue).
function cameraStyle(status) {
  const c = colour(['online', 'stalled', 'offline'].includes(status) ? status : 'unknown');
  if (status === 'offline') return { color: c, weight: 3, fillColor: '#05080d', fillOpacity: 0.6 };
  return { color: '#05080d', weight: 1, fillColor: c, fillOpacity: 0.9 };
}

function removeMissing(markers, seen) {
  for (const [id, m] of markers) {
    if (!seen.has(id)) { m.remove(); markers.delete(id); }
  }
}
