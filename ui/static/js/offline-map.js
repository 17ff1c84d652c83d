// What every map draws without a tile server (an air-gapped center, or
// tiles that do not load): kecamatan names from the districts, kelurahan
// names and the main roads from GET /api/v1/map/offline (when the server
// has a kelurahan file and a road network). Zoomed out, the kecamatan
// names; zoomed in (an AML fix), the kelurahan names and the roads, so a
// close view is never an empty dark square.

import { get } from './api.js';
import { escapeHTML } from './dom.js';

// NEAR is the zoom from which kelurahan names replace kecamatan names.
const NEAR = 14;

let offline = null; // one request per page

function label(L, latlng, text, cls, pane) {
  return L.marker(latlng, {
    interactive: false, keyboard: false, pane,
    icon: L.divIcon({ className: cls, html: escapeHTML(text), iconSize: [160, 20], iconAnchor: [80, 10] }),
  });
}

/** districtLabels are the kecamatan names at their centroids, as one layer. */
export function districtLabels(L, geojson, pane = 'markerPane') {
  const layer = L.layerGroup();
  for (const f of geojson.features || []) {
    const c = f.properties && f.properties.centroid;
    if (c) label(L, [c[1], c[0]], f.properties.name, 'district-label', pane).addTo(layer);
  }
  return layer;
}

/**
 * drawOffline adds the main roads and the kelurahan names to map (the
 * roads under everything else, in their own pane) and switches names by
 * zoom. It resolves when drawn; a server without either draws nothing.
 */
export async function drawOffline(L, map) {
  if (!map.getPane('offlineRoads')) {
    map.createPane('offlineRoads').style.zIndex = '260';
    map.createPane('offlineLabels').style.zIndex = '395';
  }
  const el = map.getContainer();
  const zoomed = () => el.classList.toggle('map-near', map.getZoom() >= NEAR);
  map.on('zoomend', zoomed);
  zoomed();
  try {
    offline = offline || get('/api/v1/map/offline');
    const o = await offline;
    if (o.roads && o.roads.coordinates.length) {
      L.geoJSON(o.roads, { pane: 'offlineRoads', interactive: false, style: { className: 'main-road', weight: 3 } }).addTo(map);
    }
    for (const k of o.kelurahan || []) {
      label(L, [k.location.lat, k.location.lon], k.name, 'kelurahan-label', 'offlineLabels').addTo(map);
    }
    el.dataset.offlineMap = `${(o.kelurahan || []).length}/${o.roads ? o.roads.coordinates.length : 0}`;
  } catch (err) {
    console.error('offline map', err);
  }
}
