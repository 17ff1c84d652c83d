package ui

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestConsoleIndex(t *testing.T) {
	a := newAPI(t)
	r := a.do("GET", "/", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /: %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("the console page must be revalidated on each load, Cache-Control %q", cc)
	}
	if strings.Contains(string(r.body), staticPlaceholder) {
		t.Error("index.html still holds the placeholder")
	}
	m := regexp.MustCompile(`src="(/static/[0-9a-f]{12}/js/app\.js)"`).FindStringSubmatch(string(r.body))
	if m == nil {
		t.Fatalf("index.html does not load the versioned app.js:\n%s", r.body)
	}
	// The page revalidates with its ETag.
	etag := r.header.Get("ETag")
	if r2 := a.do("GET", "/", "", "If-None-Match", etag); r2.status != http.StatusNotModified || len(r2.body) != 0 {
		t.Errorf("revalidation: %d with %d bytes", r2.status, len(r2.body))
	}
}

func TestStaticAssets(t *testing.T) {
	a := newAPI(t)
	v := a.srv.Config.Handler.(*Server).assets.version
	tests := []struct {
		path, ctype, cache string
		status             int
	}{
		{"/static/" + v + "/js/app.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{"/static/" + v + "/js/i18n.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{"/static/" + v + "/css/console.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{"/static/" + v + "/favicon.svg", "image/svg+xml", "public, max-age=31536000, immutable", 200},
		// A page loaded before an upgrade asks for its old version: it gets
		// today's file, not cached.
		{"/static/0123456789ab/js/app.js", "text/javascript; charset=utf-8", "no-cache", 200},
		{"/static/" + v + "/js/nope.js", "", "", 404},
		// The mux cleans the path and redirects (to /server.go, itself a 404):
		// never the file.
		{"/static/" + v + "/../server.go", "", "", 307},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := a.do("GET", tt.path, "")
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			if tt.status != 200 {
				return
			}
			if got := r.header.Get("Content-Type"); got != tt.ctype {
				t.Errorf("Content-Type %q, want %q", got, tt.ctype)
			}
			if got := r.header.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
			etag := r.header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			if r2 := a.do("GET", tt.path, "", "If-None-Match", etag); r2.status != http.StatusNotModified {
				t.Errorf("If-None-Match: %d, want 304", r2.status)
			}
		})
	}
}

func TestConsoleConfig(t *testing.T) {
	a := newAPI(t)
	var c ConsoleConfig
	r := a.do("GET", "/api/v1/config", "")
	r.decode(t, &c)
	if r.status != 200 || c.Version == "" || c.TargetS != 444 {
		t.Fatalf("config %d %+v", r.status, c)
	}
	if needs := c.Plan["fire"]; len(needs) == 0 || needs[0].Type != "fire" {
		t.Errorf("plan for fire: %+v", needs)
	}
}

// The version must change when any file changes, including the vendor
// files, or browsers would keep a stale module forever.
func TestAssetVersionCoversEveryFile(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	before := a.version
	f := a.files["js/app.js"]
	f.body = append([]byte("// changed\n"), f.body...)
	a.files["js/app.js"] = newAsset("js/app.js", f.body)
	if after := versionOf(a.files); after == before {
		t.Error("changing app.js did not change the version")
	}
}
