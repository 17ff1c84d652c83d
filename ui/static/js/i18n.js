// The console's one message catalogue: every word the page shows comes from
// here. Bahasa Indonesia is the default; English is a switch. Times are shown
// in WIB (Asia/Jakarta) whatever the browser's own time zone.

const messages = {
  id: {
    'app.title': 'Command Center 112 Surabaya',
    'app.lang': 'English',
    'app.langTitle': 'Switch to English',
    'conn.connecting': 'Menghubungkan…',
    'conn.live': 'Langsung',
    'conn.offline': 'Terputus — mencoba lagi dalam {s} dtk',
    'conn.resync': 'Menyelaraskan…',
    'count.active': '{n} kejadian aktif',
    'count.waiting': '{n} menunggu unit',
    'count.available': '{n} unit siaga',
    'tab.map': 'Peta',
    'tab.queue': 'Kejadian',
    'tab.units': 'Unit',
    'queue.title': 'Antrian kejadian',
    'queue.empty': 'Tidak ada kejadian aktif',
    'queue.onscene': 'tiba {t}',
    'board.title': 'Unit',
    'board.summary': '{free} siaga / {n}',
    'map.layers.incidents': 'Kejadian',
    'map.layers.units': 'Unit',
    'map.layers.cameras': 'Kamera CCTV',
    'map.layers.districts': 'Batas kecamatan',
    'map.layers.basemap': 'Peta dasar',
    'map.unavailable': 'Peta tidak tersedia: berkas Leaflet tidak ikut dibangun. Jalankan `make run` (npm ci + build). Antrian dan unit tetap berjalan.',
    'map.tilesOffline': 'Peta dasar tidak dapat dimuat — batas kecamatan ditampilkan',
    'map.pick': 'Klik peta untuk menandai lokasi kejadian',
    'cam.title': 'Kamera terdekat — {n}',
    'cam.none': 'Tidak ada kamera online dengan video di dekat kejadian ini.',
    'cam.noVideo': 'Kamera ini tidak punya alamat video.',
    'cam.close': 'Tutup dinding kamera',
    'cam.audit': 'Setiap tayangan kamera dicatat untuk audit.',
    'new.button': '+ Kejadian baru',
    'new.title': 'Kejadian baru',
    'new.category': 'Kategori',
    'new.priority': 'Prioritas',
    'new.location': 'Lokasi (lat, lon atau nama kecamatan)',
    'new.locationHint': 'Klik peta, ketik "-7.2458, 112.7378", atau nama kecamatan',
    'new.address': 'Alamat',
    'new.callerName': 'Nama pelapor',
    'new.callerPhone': 'Telepon pelapor',
    'new.description': 'Keterangan',
    'new.submit': 'Simpan (Enter)',
    'new.cancel': 'Batal (Esc)',
    'new.badLocation': 'Lokasi tidak dikenali: ketik "lat, lon", nama kecamatan, atau klik peta',
    'new.created': 'Kejadian {number} dibuat',
    'detail.close': 'Tutup panel (Esc)',
    'detail.received': 'Diterima',
    'detail.dispatched': 'Unit dikirim',
    'detail.enroute': 'Dalam perjalanan',
    'detail.onscene': 'Unit tiba',
    'detail.closed': 'Ditutup',
    'detail.timeline': 'Linimasa',
    'detail.assigned': 'Unit ditugaskan',
    'detail.noneAssigned': 'Belum ada unit',
    'detail.recommend': 'Rekomendasi unit terdekat',
    'detail.noRecommend': 'Tidak ada unit siaga yang sesuai',
    'detail.dispatch': 'Kirim',
    'detail.dispatchPlan': 'Kirim sesuai rencana',
    'detail.eta': '{m} mnt',
    'detail.km': '{km} km',
    'detail.road': 'jalan',
    'detail.straight': 'garis lurus',
    'detail.caller': 'Pelapor',
    'detail.address': 'Alamat',
    'detail.district': 'Kecamatan',
    'detail.source': 'Sumber',
    'detail.description': 'Keterangan',
    'detail.closeIncident': 'Tutup kejadian',
    'detail.disposition': 'Hasil penanganan',
    'detail.closeConfirm': 'Tutup',
    'detail.notFound': 'Kejadian ini sudah ditutup',
    'detail.responseTime': 'Waktu tanggap',
    'detail.dispatchedOk': '{callsign} dikirim',
    'error.generic': 'Gagal: {msg}',
    'priority.1': 'P1 Darurat',
    'priority.2': 'P2 Mendesak',
    'priority.3': 'P3 Biasa',
    'priority.4': 'P4 Rendah',
    'istatus.new': 'Menunggu unit',
    'istatus.dispatched': 'Unit dikirim',
    'istatus.enroute': 'Dalam perjalanan',
    'istatus.onscene': 'Di lokasi',
    'istatus.closed': 'Ditutup',
    'ustatus.available': 'Siaga',
    'ustatus.dispatched': 'Dikirim',
    'ustatus.enroute': 'Menuju',
    'ustatus.onscene': 'Di lokasi',
    'ustatus.offduty': 'Tidak dinas',
    'cstatus.online': 'Aktif',
    'cstatus.stalled': 'Macet',
    'cstatus.offline': 'Mati',
    'cstatus.unknown': 'Belum dicek',
    'utype.fire': 'Damkar',
    'utype.police': 'Polisi',
    'utype.dkp': 'DKP',
    'utype.ambulance': 'Ambulans PSC 119',
    'utype.rescue': 'BPBD / SAR',
    'cat.fire': 'Kebakaran',
    'cat.traffic_accident': 'Kecelakaan lalu lintas',
    'cat.flood': 'Banjir',
    'cat.fallen_tree': 'Pohon tumbang',
    'cat.gas_leak': 'Kebocoran gas',
    'cat.tornado': 'Angin puting beliung',
    'cat.social_conflict': 'Konflik sosial',
    'cat.crime': 'Tindak kriminal',
    'cat.missing_person': 'Orang hilang',
    'cat.medical': 'Gawat darurat medis',
    'cat.mental_health': 'ODGJ / kesehatan jiwa',
    'cat.animal': 'Evakuasi hewan',
    'cat.infrastructure': 'Kerusakan infrastruktur',
    'cat.other': 'Lainnya',
    'disp.resolved': 'Selesai ditangani',
    'disp.transported': 'Korban dibawa ke rumah sakit',
    'disp.false_alarm': 'Laporan palsu / iseng',
    'disp.not_found': 'Tidak ditemukan di lokasi',
    'disp.duplicate': 'Laporan ganda',
    'disp.referred': 'Dialihkan ke OPD lain',
    'src.phone': 'Telepon 112',
    'src.sms': 'SMS',
    'src.web': 'Web',
    'src.social': 'Media sosial',
    'src.walkin': 'Datang langsung',
    'src.radio': 'Radio',
    'src.cctv': 'CCTV',
    'src.email': 'Email',
    'net.down': 'Tidak ada jaringan. Coba lagi.',
    'login.title': 'CC112 Surabaya · Masuk',
    'login.user': 'Nama pengguna',
    'login.password': 'Kata sandi',
    'login.submit': 'Masuk',
    'login.for': 'Masuk untuk membuka: {page}',
    'login.tooMany': 'Terlalu banyak percobaan gagal. Coba lagi dalam {s} detik.',
    'login.wrong': 'Nama pengguna atau kata sandi salah.',
    'login.notForPage': 'Akun ini ({role}) bukan untuk halaman ini.',
    'logout': 'Keluar',
    'page.console': 'Konsol dispatcher',
    'page.calltaker': 'Penerima panggilan',
    'page.desk': 'Meja pengaduan',
    'page.supervisor': 'Dasbor supervisor',
    'page.camera': 'Kamera CCTV',
    'page.police': 'Pantauan Polri',
    'unit.title': 'CC112 · Unit Lapangan',
    'unit.alert': 'TUGAS BARU',
    'unit.idle': 'Tidak ada tugas. Siaga.',
    'unit.distance': 'Jarak:',
    'unit.nav': 'Navigasi ▶',
    'unit.place': 'Lokasi',
    'unit.enroute': 'Berangkat',
    'unit.onscene': 'Tiba',
    'unit.done': 'Selesai',
    'unit.queue': 'Menunggu jaringan: {s} status, {p} posisi',
    'unit.online': 'Tersambung',
    'unit.offline': 'Terputus',
    'unit.gpsWait': 'GPS: menunggu…',
    'unit.gpsAccuracy': 'GPS: ±{m} m',
    'unit.gpsNone': 'GPS: tidak tersedia di perangkat ini',
    'unit.gpsDenied': 'GPS: izin ditolak',
    'unit.gpsNoSignal': 'GPS: tidak ada sinyal',
    'complaintCat.road': 'Jalan rusak',
    'complaintCat.drainage': 'Saluran air / banjir lokal',
    'complaintCat.waste': 'Sampah',
    'complaintCat.streetlight': 'Lampu jalan (PJU)',
    'complaintCat.water': 'Air PDAM',
    'complaintCat.electricity': 'Listrik',
    'complaintCat.public_order': 'Ketertiban umum',
    'complaintCat.traffic': 'Lalu lintas / parkir',
    'complaintCat.parks': 'Taman dan pohon',
    'complaintCat.civil_registry': 'Kependudukan (KTP, KK)',
    'complaintCat.health': 'Layanan kesehatan',
    'complaintCat.other': 'Lainnya',
    'complaintStatus.received': 'Diterima',
    'complaintStatus.forwarded': 'Diteruskan ke dinas',
    'complaintStatus.responded': 'Ditanggapi dinas',
    'complaintStatus.closed': 'Selesai',
    'priority.5': 'P5 Informasi',
    'unit.incident': 'Kejadian',
  },
  en: {
    'app.title': 'Command Center 112 Surabaya',
    'app.lang': 'Bahasa Indonesia',
    'app.langTitle': 'Ganti ke Bahasa Indonesia',
    'conn.connecting': 'Connecting…',
    'conn.live': 'Live',
    'conn.offline': 'Disconnected — retrying in {s} s',
    'conn.resync': 'Resynchronising…',
    'count.active': '{n} active incidents',
    'count.waiting': '{n} waiting for a unit',
    'count.available': '{n} units available',
    'tab.map': 'Map',
    'tab.queue': 'Incidents',
    'tab.units': 'Units',
    'queue.title': 'Incident queue',
    'queue.empty': 'No active incidents',
    'queue.onscene': 'on scene {t}',
    'board.title': 'Units',
    'board.summary': '{free} available / {n}',
    'map.layers.incidents': 'Incidents',
    'map.layers.units': 'Units',
    'map.layers.cameras': 'CCTV cameras',
    'map.layers.districts': 'District boundaries',
    'map.layers.basemap': 'Basemap',
    'map.unavailable': 'Map unavailable: the Leaflet files were not built in. Run `make run` (npm ci + build). The queue and units keep working.',
    'map.tilesOffline': 'Basemap tiles cannot load — showing district outlines',
    'map.pick': 'Click the map to mark the incident location',
    'cam.title': 'Nearest cameras — {n}',
    'cam.none': 'No online camera with video near this incident.',
    'cam.noVideo': 'This camera has no video address.',
    'cam.close': 'Close the camera wall',
    'cam.audit': 'Every camera view is recorded for audit.',
    'new.button': '+ New incident',
    'new.title': 'New incident',
    'new.category': 'Category',
    'new.priority': 'Priority',
    'new.location': 'Location (lat, lon or district name)',
    'new.locationHint': 'Click the map, type "-7.2458, 112.7378", or a district name',
    'new.address': 'Address',
    'new.callerName': 'Caller name',
    'new.callerPhone': 'Caller phone',
    'new.description': 'Description',
    'new.submit': 'Save (Enter)',
    'new.cancel': 'Cancel (Esc)',
    'new.badLocation': 'Location not understood: type "lat, lon", a district name, or click the map',
    'new.created': 'Incident {number} created',
    'detail.close': 'Close panel (Esc)',
    'detail.received': 'Received',
    'detail.dispatched': 'Unit dispatched',
    'detail.enroute': 'En route',
    'detail.onscene': 'Unit on scene',
    'detail.closed': 'Closed',
    'detail.timeline': 'Timeline',
    'detail.assigned': 'Assigned units',
    'detail.noneAssigned': 'No unit yet',
    'detail.recommend': 'Nearest recommended units',
    'detail.noRecommend': 'No suitable unit available',
    'detail.dispatch': 'Dispatch',
    'detail.dispatchPlan': 'Dispatch response plan',
    'detail.eta': '{m} min',
    'detail.km': '{km} km',
    'detail.road': 'road',
    'detail.straight': 'straight line',
    'detail.caller': 'Caller',
    'detail.address': 'Address',
    'detail.district': 'District',
    'detail.source': 'Source',
    'detail.description': 'Description',
    'detail.closeIncident': 'Close incident',
    'detail.disposition': 'Disposition',
    'detail.closeConfirm': 'Close',
    'detail.notFound': 'This incident is closed',
    'detail.responseTime': 'Response time',
    'detail.dispatchedOk': '{callsign} dispatched',
    'error.generic': 'Failed: {msg}',
    'priority.1': 'P1 Emergency',
    'priority.2': 'P2 Urgent',
    'priority.3': 'P3 Normal',
    'priority.4': 'P4 Low',
    'istatus.new': 'Waiting for unit',
    'istatus.dispatched': 'Dispatched',
    'istatus.enroute': 'En route',
    'istatus.onscene': 'On scene',
    'istatus.closed': 'Closed',
    'ustatus.available': 'Available',
    'ustatus.dispatched': 'Dispatched',
    'ustatus.enroute': 'En route',
    'ustatus.onscene': 'On scene',
    'ustatus.offduty': 'Off duty',
    'cstatus.online': 'Online',
    'cstatus.stalled': 'Stalled',
    'cstatus.offline': 'Offline',
    'cstatus.unknown': 'Not probed',
    'utype.fire': 'Fire brigade',
    'utype.police': 'Police',
    'utype.dkp': 'DKP (parks)',
    'utype.ambulance': 'Ambulance PSC 119',
    'utype.rescue': 'BPBD / rescue',
    'cat.fire': 'Fire',
    'cat.traffic_accident': 'Traffic accident',
    'cat.flood': 'Flood',
    'cat.fallen_tree': 'Fallen tree',
    'cat.gas_leak': 'Gas leak',
    'cat.tornado': 'Tornado',
    'cat.social_conflict': 'Social conflict',
    'cat.crime': 'Crime',
    'cat.missing_person': 'Missing person',
    'cat.medical': 'Medical emergency',
    'cat.mental_health': 'Mental health',
    'cat.animal': 'Animal rescue',
    'cat.infrastructure': 'Infrastructure damage',
    'cat.other': 'Other',
    'disp.resolved': 'Resolved',
    'disp.transported': 'Patient taken to hospital',
    'disp.false_alarm': 'False / prank report',
    'disp.not_found': 'Nothing found on scene',
    'disp.duplicate': 'Duplicate report',
    'disp.referred': 'Referred to another agency',
    'src.phone': '112 call',
    'src.sms': 'SMS',
    'src.web': 'Web',
    'src.social': 'Social media',
    'src.walkin': 'Walk-in',
    'src.radio': 'Radio',
    'src.cctv': 'CCTV',
    'src.email': 'Email',
    'net.down': 'No network. Try again.',
    'login.title': 'CC112 Surabaya · Log in',
    'login.user': 'Username',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'login.for': 'Log in to open: {page}',
    'login.tooMany': 'Too many failed attempts. Try again in {s} s.',
    'login.wrong': 'Wrong username or password.',
    'login.notForPage': 'This account ({role}) is not for this page.',
    'logout': 'Log out',
    'page.console': 'Dispatcher console',
    'page.calltaker': 'Call taker',
    'page.desk': 'Complaint desk',
    'page.supervisor': 'Supervisor dashboard',
    'page.camera': 'CCTV camera',
    'page.police': 'Police view',
    'unit.title': 'CC112 · Field unit',
    'unit.alert': 'NEW TASK',
    'unit.idle': 'No task. Standing by.',
    'unit.distance': 'Distance:',
    'unit.nav': 'Navigate ▶',
    'unit.place': 'Location',
    'unit.enroute': 'En route',
    'unit.onscene': 'On scene',
    'unit.done': 'Done',
    'unit.queue': 'Waiting for the network: {s} status, {p} positions',
    'unit.online': 'Connected',
    'unit.offline': 'Disconnected',
    'unit.gpsWait': 'GPS: waiting…',
    'unit.gpsAccuracy': 'GPS: ±{m} m',
    'unit.gpsNone': 'GPS: not available on this device',
    'unit.gpsDenied': 'GPS: permission denied',
    'unit.gpsNoSignal': 'GPS: no signal',
    'complaintCat.road': 'Damaged road',
    'complaintCat.drainage': 'Drainage / local flooding',
    'complaintCat.waste': 'Waste',
    'complaintCat.streetlight': 'Street lights',
    'complaintCat.water': 'Water (PDAM)',
    'complaintCat.electricity': 'Electricity',
    'complaintCat.public_order': 'Public order',
    'complaintCat.traffic': 'Traffic / parking',
    'complaintCat.parks': 'Parks and trees',
    'complaintCat.civil_registry': 'Civil registry (KTP, KK)',
    'complaintCat.health': 'Health services',
    'complaintCat.other': 'Other',
    'complaintStatus.received': 'Received',
    'complaintStatus.forwarded': 'Forwarded to the agency',
    'complaintStatus.responded': 'Answered by the agency',
    'complaintStatus.closed': 'Closed',
    'priority.5': 'P5 Information',
    'unit.incident': 'Incident',
  },
};

// Dispositions are suggestions the close form offers (the engine takes any
// text), so they live with their labels.
export const DISPOSITIONS = ['resolved', 'transported', 'false_alarm', 'not_found', 'duplicate', 'referred'];

const STORAGE_KEY = 'cc112.lang';
let current = 'id';
const listeners = new Set();

try {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved && messages[saved]) current = saved;
} catch { /* storage may be disabled on a kiosk */ }

/** t returns the message for key in the current language, with {name} filled from vars. */
export function t(key, vars) {
  let s = messages[current][key] ?? messages.id[key];
  if (s === undefined) {
    console.warn('i18n: no message', key);
    return key;
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** has reports whether the catalogue knows key (codes from the server may be new). */
export function has(key) {
  return key in messages.id;
}

/** label translates a server code of a kind (cat, ustatus, ...), falling back to the code itself. */
export function label(kind, code) {
  return has(`${kind}.${code}`) ? t(`${kind}.${code}`) : String(code ?? '');
}

export function lang() { return current; }

export function setLang(l) {
  if (!messages[l] || l === current) return;
  current = l;
  try { localStorage.setItem(STORAGE_KEY, l); } catch { /* ignore */ }
  document.documentElement.lang = l;
  translateDOM(document);
  for (const fn of listeners) fn(l);
}

export function onLangChange(fn) { listeners.add(fn); }

/**
 * wireLangSwitch translates the page and makes its #lang-btn switch the
 * language; render (if any) runs now and after every switch.
 */
export function wireLangSwitch(render) {
  const btns = document.querySelectorAll('#lang-btn, [data-lang-switch]');
  const show = () => {
    for (const b of btns) { b.textContent = t('app.lang'); b.title = t('app.langTitle'); }
    if (render) render();
  };
  document.documentElement.lang = current;
  translateDOM(document);
  show();
  onLangChange(show);
  for (const b of btns) b.addEventListener('click', () => setLang(current === 'id' ? 'en' : 'id'));
}

/** translateDOM fills every element that carries data-i18n (text), data-i18n-title or data-i18n-placeholder. */
export function translateDOM(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
}

const TZ = 'Asia/Jakarta';
const timeFmt = new Intl.DateTimeFormat('id-ID', { timeZone: TZ, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dateFmt = new Intl.DateTimeFormat('id-ID', { timeZone: TZ, weekday: 'short', day: 'numeric', month: 'short' });
const dayTime = new Intl.DateTimeFormat('id-ID', { timeZone: TZ, hour: '2-digit', minute: '2-digit', day: '2-digit', month: 'short' });
const dayTimeEn = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', day: '2-digit', month: 'short' });
const dateFmtEn = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, weekday: 'short', day: 'numeric', month: 'short' });

/** wib formats an instant as HH:MM:SS in WIB. */
export function wib(d) {
  if (!d) return '—';
  return timeFmt.format(d instanceof Date ? d : new Date(d)).replace(/\./g, ':');
}

/** wibDayTime is a short day and time in WIB ("6 Des 14.03 WIB"), or – without one. */
export function wibDayTime(d) {
  if (!d) return '–';
  return (current === 'en' ? dayTimeEn : dayTime).format(d instanceof Date ? d : new Date(d)) + ' WIB';
}

/** wibDate is the day in WIB, in the current language. */
export function wibDate(d) {
  return (current === 'en' ? dateFmtEn : dateFmt).format(d);
}

/** duration formats seconds as M:SS (or H:MM:SS). */
export function duration(sec) {
  sec = Math.max(0, Math.floor(sec));
  const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
