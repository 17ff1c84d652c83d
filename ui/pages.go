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
	return newAsset(name, bytes.ReplaceAll(raw.body, []byte(staticPlaceholder), []byte("/static/"+s.assets.version)))
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
