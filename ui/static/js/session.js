// Shared by the field-unit and police pages: the API with the session
// cookie (HttpOnly: scripts never see the token) and the login form.

// api calls the JSON API. X-Requested-With is the CSRF proof the server
// asks of cookie-authenticated mutations.
export async function api(method, path, body, headers = {}) {
  const opts = { method, credentials: 'same-origin', headers: { 'X-Requested-With': 'cc112', ...headers } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  return { status: res.status, ok: res.ok, data, headers: res.headers };
}

export function errorText(r) {
  if (r.status === 429) return 'Terlalu banyak percobaan gagal. Coba lagi dalam ' + (r.headers.get('Retry-After') || '?') + ' detik.';
  if (r.status === 401) return 'Nama pengguna atau kata sandi salah.';
  return (r.data && r.data.error && r.data.error.message) || ('Gagal (' + r.status + ')');
}

// me returns the logged-in user, or null.
export async function me() {
  const r = await api('GET', '/api/v1/me');
  return r.ok ? r.data : null;
}

// wireLogin makes form log in and calls done(user) when it worked; roles
// lists the roles this page is for.
export function wireLogin(form, roles, done) {
  const msg = form.querySelector('.msg');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.textContent = '';
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    let r;
    try {
      r = await api('POST', '/api/v1/login', { username, password });
    } catch {
      msg.textContent = 'Tidak ada jaringan. Coba lagi.';
      return;
    }
    form.elements.password.value = '';
    if (!r.ok) { msg.textContent = errorText(r); return; }
    if (!roles.includes(r.data.role)) {
      await api('POST', '/api/v1/logout');
      msg.textContent = 'Akun ini (' + r.data.role + ') bukan untuk halaman ini.';
      return;
    }
    done(await me());
  });
}

export async function logout() {
  try { await api('POST', '/api/v1/logout'); } catch { /* offline: the cookie expires */ }
  location.reload();
}

// Indonesian labels of the stable codes (DESIGN.md §3).
export const categoryLabel = {
  fire: 'Kebakaran', traffic_accident: 'Kecelakaan lalu lintas', flood: 'Banjir', fallen_tree: 'Pohon tumbang',
  gas_leak: 'Kebocoran gas', tornado: 'Angin puting beliung', social_conflict: 'Konflik sosial', crime: 'Kriminalitas',
  missing_person: 'Orang hilang', medical: 'Gawat darurat medis', mental_health: 'Kesehatan jiwa (ODGJ)',
  animal: 'Evakuasi hewan', infrastructure: 'Kerusakan infrastruktur', other: 'Lainnya',
};

export const statusLabel = {
  available: 'Siaga', dispatched: 'Ditugaskan', enroute: 'Berangkat', onscene: 'Di lokasi', offduty: 'Tidak bertugas',
  new: 'Baru', closed: 'Selesai',
};

const wib = new Intl.DateTimeFormat('id-ID', { timeZone: 'Asia/Jakarta', hour: '2-digit', minute: '2-digit', day: '2-digit', month: 'short' });
export function timeWIB(iso) { return iso ? wib.format(new Date(iso)) + ' WIB' : '–'; }
