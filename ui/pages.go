package ui

import (
	"bytes"
	"net/http"
)

// page serves one more embedded HTML page (the call-taker, the public
// complaint form, the complaint desk) like the console's index: asset
// paths versioned, revalidated on every load.
func (s *Server) page(name string) http.HandlerFunc {
	raw, ok := s.assets.files[name]
	if !ok {
		panic("ui: embedded page " + name + " is missing") // part of the build
	}
	a := newAsset(name, bytes.ReplaceAll(raw.body, []byte(staticPlaceholder), []byte("/static/"+s.assets.version)))
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", pageCSP)
		a.serve(w, r, "no-cache")
	}
}
