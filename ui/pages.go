package ui

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// staticFiles are the web pages and their assets, built into the binary.
//
//go:embed static
var staticFiles embed.FS

func staticFS() fs.FS {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the folder
	}
	return sub
}

// contentSecurityPolicy allows only this origin's scripts and styles (no
// inline code), map tiles from tileHosts, and no framing.
func contentSecurityPolicy(tileHosts []string) string {
	if len(tileHosts) == 0 {
		tileHosts = []string{"https://tile.openstreetmap.org"}
	}
	tiles := strings.Join(tileHosts, " ")
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: " + tiles +
		"; connect-src 'self'; media-src 'self' blob:; worker-src 'self'; manifest-src 'self'; font-src 'self'" +
		"; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request, name string) {
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, staticFS(), name)
}

// unitPage is the field unit's phone view.
func (s *Server) unitPage(w http.ResponseWriter, r *http.Request) { s.servePage(w, r, "unit.html") }

// unitServiceWorker is served under /unit so that its scope covers the page.
func (s *Server) unitServiceWorker(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Service-Worker-Allowed", "/unit")
	s.servePage(w, r, "unit-sw.js")
}

// policePage is the police viewer's read-only picture.
func (s *Server) policePage(w http.ResponseWriter, r *http.Request) { s.servePage(w, r, "police.html") }

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("path")
	if strings.HasSuffix(name, ".html") {
		http.NotFound(w, r) // pages have their own routes
		return
	}
	if strings.HasSuffix(name, ".webmanifest") {
		w.Header().Set("Content-Type", "application/manifest+json")
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, staticFS(), name)
}
