package ui

import (
	"bytes"
	"net/http"
)

// supervisorPage serves the supervisor dashboard (static/supervisor.html
// with the versioned asset prefix filled in), revalidated on every load
// like the console.
func (s *Server) supervisorPage(w http.ResponseWriter, r *http.Request) {
	page, ok := s.assets.files["supervisor.html"]
	if !ok {
		http.Error(w, "supervisor page missing from the build", http.StatusInternalServerError)
		return
	}
	body := bytes.ReplaceAll(page.body, []byte(staticPlaceholder), []byte("/static/"+s.assets.version))
	w.Header().Set("Content-Security-Policy", pageCSP)
	newAsset("supervisor.html", body).serve(w, r, "no-cache")
}
