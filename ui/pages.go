package ui

import (
	"bytes"
	"net/http"
	"strings"
)

// page serves one more embedded HTML page (the call-taker, the public
// complaint form, the complaint desk, the field unit, the police viewer)
// like the console's index: asset paths versioned, revalidated on every
// load. Every page runs under the strict default policy (ServeHTTP): no
// inline script or style, images from this origin and the tile hosts.
func (s *Server) page(name string) http.HandlerFunc {
	a := s.versioned(name)
	return func(w http.ResponseWriter, r *http.Request) { a.serve(w, r, "no-cache") }
}

// versioned is an embedded file with {{STATIC}} replaced by the current
// versioned asset prefix.
func (s *Server) versioned(name string) asset {
	raw, ok := s.assets.files[name]
	if !ok {
		panic("ui: embedded file " + name + " is missing") // part of the build
	}
	body := bytes.ReplaceAll(raw.body, []byte(staticPlaceholder), []byte("/static/"+s.assets.version))
	if s.set.Training && strings.HasSuffix(name, ".html") {
		body = s.trainingBanner(body)
	}
	return newAsset(name, body)
}

// trainingBanner adds the training banner to a page: its style in the
// head, and after <body> the banner that js/training.js fills from the
// i18n catalogue (a script of this origin: the strict policy holds).
func (s *Server) trainingBanner(page []byte) []byte {
	prefix := "/static/" + s.assets.version
	head := []byte(`<link rel="stylesheet" href="` + prefix + `/css/training.css"></head>`)
	page = bytes.Replace(page, []byte("</head>"), head, 1)
	i := bytes.Index(page, []byte("<body"))
	if i < 0 {
		return page
	}
	j := bytes.IndexByte(page[i:], '>')
	if j < 0 {
		return page
	}
	at := i + j + 1
	banner := `<div id="training-banner" class="training-banner" role="status"></div><script type="module" src="` + prefix + `/js/training.js"></script>`
	return append(page[:at:at], append([]byte(banner), page[at:]...)...)
}

// unitServiceWorker serves the field unit's service worker under /unit so
// that its scope covers the page. It names the versioned shell files, so a
// new server version installs a new worker and a fresh cache.
func (s *Server) unitServiceWorker() http.HandlerFunc {
	a := s.versioned("unit-sw.js")
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Service-Worker-Allowed", "/unit")
		a.serve(w, r, "no-cache")
	}
}

// contentSecurityPolicy is the policy of every answer, pages included:
// only this origin's scripts, styles and connections (websockets too:
// CSP 3's 'self' covers ws: and wss: to the same host), map tiles from
// tileHosts, and no framing.
func contentSecurityPolicy(tileHosts []string) string {
	if len(tileHosts) == 0 {
		tileHosts = []string{"https://tile.openstreetmap.org"}
	}
	tiles := strings.Join(tileHosts, " ")
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: " + tiles +
		"; connect-src 'self'; media-src 'self' blob:; worker-src 'self'; manifest-src 'self'; font-src 'self'" +
		"; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}
