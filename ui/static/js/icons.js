// Icons drawn as inline SVG (24×24, white on a coloured marker) so they need
// no font or image: emoji fonts are missing on many wall PCs.

const P = {
  flame: '<path d="M12 2c.8 3.6 5.5 5.7 5.5 11a5.5 5.5 0 0 1-11 0c0-3 1.6-4.6 2.4-6.4.9 1.2 1.4 2.3 1.5 3.9C12 8.6 12.6 5.6 12 2z"/>',
  car: '<path d="M5 11l1.6-4.2A2 2 0 0 1 8.5 5.5h7a2 2 0 0 1 1.9 1.3L19 11h1a1 1 0 0 1 1 1v5h-2v1.5a1.5 1.5 0 0 1-3 0V17H8v1.5a1.5 1.5 0 0 1-3 0V17H3v-5a1 1 0 0 1 1-1zm2.2 0h9.6l-1.1-3.3H8.3zM6.5 15a1.3 1.3 0 1 0 0-2.6 1.3 1.3 0 0 0 0 2.6zm11 0a1.3 1.3 0 1 0 0-2.6 1.3 1.3 0 0 0 0 2.6z"/>',
  waves: '<path d="M2 7c2.5 0 2.5-2 5-2s2.5 2 5 2 2.5-2 5-2 2.5 2 5 2v3c-2.5 0-2.5-2-5-2s-2.5 2-5 2-2.5-2-5-2-2.5 2-5 2zm0 6c2.5 0 2.5-2 5-2s2.5 2 5 2 2.5-2 5-2 2.5 2 5 2v3c-2.5 0-2.5-2-5-2s-2.5 2-5 2-2.5-2-5-2-2.5 2-5 2z"/>',
  tree: '<path d="M13.5 2l6.5 9h-3l4 6H6zM5 20.5l8.3-2.6.9 2.8-8.3 2.6z"/>',
  gas: '<path d="M9 2h6v3h-1v1.2a5 5 0 0 1 3 4.6V20a2 2 0 0 1-2 2H9a2 2 0 0 1-2-2v-9.2a5 5 0 0 1 3-4.6V5H9zm3 9a3 3 0 0 0-3 3c0 2 3 5 3 5s3-3 3-5a3 3 0 0 0-3-3z"/>',
  tornado: '<path d="M2 3h20v2.6H2zm2 4.5h16v2.6H4zm3 4.5h11v2.6H7zm3 4.5h6v2.6h-6zm2 3.5h3V22h-3z"/>',
  fist: '<path d="M4 4l7 7-2 2-7-7V4zm16 0h2v2l-7 7-2-2zM3 19l6-6 2 2-6 6H3zm18 0v2h-2l-6-6 2-2z"/>',
  shield: '<path d="M12 1.5l9 3.5v6.5c0 5.5-3.8 9.7-9 11-5.2-1.3-9-5.5-9-11V5zm0 4.5l-1.6 3.4-3.7.4 2.8 2.5-.8 3.6 3.3-1.9 3.3 1.9-.8-3.6 2.8-2.5-3.7-.4z"/>',
  person: '<path d="M10 2.5a2.8 2.8 0 1 1 0 5.6 2.8 2.8 0 0 1 0-5.6zM6.5 10h7a1.5 1.5 0 0 1 1.5 1.5V16h-2v6H7v-6H5v-4.5A1.5 1.5 0 0 1 6.5 10zM17 9.2c0-1.8 1.3-3 3-3s3 1.2 3 2.8c0 2-2.1 2.2-2.1 3.9h-1.8c0-2.6 2.1-2.7 2.1-3.9 0-.6-.5-1-1.2-1-.8 0-1.2.5-1.2 1.2zm1.9 4.3h2v2h-2z"/>',
  cross: '<path d="M9 2h6v7h7v6h-7v7H9v-7H2V9h7z"/>',
  heart: '<path d="M12 21s-9-5.6-9-12a5 5 0 0 1 9-3 5 5 0 0 1 9 3c0 6.4-9 12-9 12z"/>',
  paw: '<path d="M12 12c3 0 6 4.3 6 6.5 0 2.5-3 2-6 2s-6 .5-6-2C6 16.3 9 12 12 12zM5 7.5a2 2.5 0 1 1 0 5 2 2.5 0 0 1 0-5zm14 0a2 2.5 0 1 1 0 5 2 2.5 0 0 1 0-5zM9 2.5a2 2.6 0 1 1 0 5.2 2 2.6 0 0 1 0-5.2zm6 0a2 2.6 0 1 1 0 5.2 2 2.6 0 0 1 0-5.2z"/>',
  bridge: '<path d="M2 9h20v2.5h-2V18h-3v-4.5a5 5 0 0 0-3.5-2h-3A5 5 0 0 0 7 13.5V18H4v-6.5H2zm9 3l2 2.5-1.5 1.5 2 3-3.5-3 1.5-1.5z"/>',
  bang: '<path d="M10 2h4l-.6 13h-2.8zm2 15.5a2.2 2.2 0 1 1 0 4.4 2.2 2.2 0 0 1 0-4.4z"/>',
  leaf: '<path d="M20.5 3C21 12 16 19 8 19c-1 0-2-.2-2.8-.5L3.5 21.5 2 20.2l2-3C3.3 16 3 14.8 3 13.5 3 7 10 3 20.5 3zM7 16.5c3-1 6.5-4 9-8.5-3.5 3.5-6 5.6-9 7.2z"/>',
  ring: '<path d="M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm0 5a5 5 0 1 0 0 10 5 5 0 0 0 0-10zm-1.4-4.8v4.9a5 5 0 0 1 2.8 0V2.2zm0 14.7v4.9a10 10 0 0 0 2.8 0v-4.9a5 5 0 0 1-2.8 0zM2.2 10.6v2.8h4.9a5 5 0 0 1 0-2.8zm14.7 0a5 5 0 0 1 0 2.8h4.9v-2.8z"/>',
  camera: '<path d="M3 7h12a2 2 0 0 1 2 2v1.5L22 7v10l-5-3.5V15a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2z"/>',
};

const CATEGORY = {
  fire: P.flame, traffic_accident: P.car, flood: P.waves, fallen_tree: P.tree, gas_leak: P.gas,
  tornado: P.tornado, social_conflict: P.fist, crime: P.shield, missing_person: P.person,
  medical: P.cross, mental_health: P.heart, animal: P.paw, infrastructure: P.bridge, other: P.bang,
};

const UNIT = { fire: P.flame, police: P.shield, dkp: P.leaf, ambulance: P.cross, rescue: P.ring };

function svg(path, cls) {
  return `<svg class="${cls}" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">${path}</svg>`;
}

export function categoryIcon(cat) { return svg(CATEGORY[cat] || P.bang, 'ico'); }
export function unitIcon(type) { return svg(UNIT[type] || P.bang, 'ico'); }
export function cameraIcon() { return svg(P.camera, 'ico'); }
