package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"

	"cc112"
)

// The console: plain ES modules, CSS and the vendor files that web/build.mjs
// copies from npm packages (static/vendor/ is generated, not committed; the
// console starts without it and says so instead of drawing the map).
//
//go:embed static
var staticFS embed.FS

// assets are the embedded files, read once, with their ETags. Every file
// is served under /static/<version>/ where version hashes all of them:
// any change gives new URLs, so browsers may cache them forever, and the
// relative imports between modules stay on one version.
type assets struct {
	files   map[string]asset // by path below static/
	version string
	index   asset // index.html with the versioned prefix filled in
}

type asset struct {
	body  []byte
	etag  string
	ctype string
}

// staticPlaceholder is what index.html writes before every asset path.
const staticPlaceholder = "{{STATIC}}"

func loadAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		a.files[name] = newAsset(name, body)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded console: %w", err)
	}
	a.version = versionOf(a.files)
	idx, ok := a.files["index.html"]
	if !ok {
		return nil, fmt.Errorf("embedded console: static/index.html is missing")
	}
	a.index = newAsset("index.html", bytes.ReplaceAll(idx.body, []byte(staticPlaceholder), []byte("/static/"+a.version)))
	return a, nil
}

// versionOf hashes every file's name and ETag.
func versionOf(files map[string]asset) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s %s\n", n, files[n].etag)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func newAsset(name string, body []byte) asset {
	sum := sha256.Sum256(body)
	return asset{body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: contentType(name)}
}

// contentType does not trust the platform's MIME tables, which differ
// between machines: a module served as text/plain is refused by browsers.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".webmanifest":
		return "application/manifest+json"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	case "", ".txt":
		return "text/plain; charset=utf-8"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// hasVendor reports whether the npm files were built into the binary.
func (a *assets) hasVendor() bool {
	_, ok := a.files["vendor/leaflet/leaflet.js"]
	return ok
}

// serve writes one asset, answering 304 when the browser has it.
func (a asset) serve(w http.ResponseWriter, r *http.Request, cacheControl string) {
	h := w.Header()
	h.Set("ETag", a.etag)
	h.Set("Cache-Control", cacheControl)
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.ctype)
	h.Set("Content-Length", fmt.Sprint(len(a.body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(a.body)
}

// index serves the console. It is revalidated on every load (no-cache with
// an ETag) so that a new server version is picked up at the next load.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	s.assets.index.serve(w, r, "no-cache")
}

// static serves /static/{version}/{path...}. The current version's files
// are immutable; an old version's URL (a page loaded before an upgrade)
// still gets the current file, but uncached.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets.files[r.PathValue("path")]
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	cc := "public, max-age=31536000, immutable"
	if r.PathValue("version") != s.assets.version {
		cc = "no-cache"
	}
	a.serve(w, r, cc)
}

// responseTargetS is the city's response-time target: 7.4 minutes from the
// call to the first unit on scene.
const responseTargetS = 444

// ConsoleConfig is what the console asks the server at start-up.
type ConsoleConfig struct {
	// Tiles is the basemap's tile URL template ({z}/{x}/{y}); empty for no
	// basemap (an air-gapped center draws the kecamatan only).
	Tiles           string `json:"tiles"`
	TileAttribution string `json:"tile_attribution"`
	// Version changes with every change of the console's files: a wall that
	// sees a new one after a reconnect reloads itself.
	Version string `json:"version"`
	// MapAvailable is false when the binary was built without the npm files.
	MapAvailable bool `json:"map_available"`
	// TargetS is the response-time target (call received to first unit on
	// scene), in seconds.
	TargetS int `json:"target_s"`
	// Plan is the response plan: the units each category needs.
	Plan cc112.ResponsePlan `json:"plan"`
}

func (s *Server) consoleConfig(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, http.StatusOK, ConsoleConfig{
		Tiles: s.set.Tiles.URL, TileAttribution: s.set.Tiles.Attribution,
		Version: s.assets.version, MapAvailable: s.assets.hasVendor(), TargetS: responseTargetS,
		Plan: s.eng.Plan(),
	})
}

// VendorFile is one of the embedded third-party files (name below
// static/vendor/, e.g. "uplot/uPlot.esm.js"), for tools that build pages
// of their own (citysim's report); ok is false when the vendor files were
// not built in.
func VendorFile(name string) (body []byte, ok bool) {
	b, err := staticFS.ReadFile("static/vendor/" + name)
	return b, err == nil
}
