package ui

import (
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cc112"
	"cc112/auth"
	"cc112/callcenter"
)

// catalogue is the pages' one message catalogue (static/js/i18n.js), read
// as text: language → key → message, and the keys written twice.
type catalogue struct {
	msgs  map[string]map[string]string
	twice []string
}

var (
	catalogueLang = regexp.MustCompile(`^  (\w+): \{$`)
	catalogueLine = regexp.MustCompile(`^    '([^']+)': (?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"),$`)
)

func readCatalogue(t *testing.T) catalogue {
	t.Helper()
	src, err := staticFS.ReadFile("static/js/i18n.js")
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	start := strings.Index(text, "export const messages = {\n")
	end := strings.Index(text, "\n};\n")
	if start < 0 || end < start {
		t.Fatal("i18n.js: no `export const messages = {` … `};` block")
	}
	c := catalogue{msgs: map[string]map[string]string{}}
	lang := ""
	for n, line := range strings.Split(text[start:end], "\n")[1:] {
		if m := catalogueLang.FindStringSubmatch(line); m != nil {
			lang = m[1]
			c.msgs[lang] = map[string]string{}
			continue
		}
		if line == "  }," || strings.TrimSpace(line) == "" {
			continue
		}
		m := catalogueLine.FindStringSubmatch(line)
		if m == nil || lang == "" {
			t.Fatalf("i18n.js messages line %d: not `'key': 'message',`: %q", n+2, line)
		}
		if _, dup := c.msgs[lang][m[1]]; dup {
			c.twice = append(c.twice, lang+" "+m[1])
		}
		c.msgs[lang][m[1]] = m[2] + m[3]
	}
	if len(c.msgs["id"]) < 500 || len(c.msgs["en"]) < 500 {
		t.Fatalf("catalogue read wrong: %d id and %d en messages", len(c.msgs["id"]), len(c.msgs["en"]))
	}
	return c
}

var placeholder = regexp.MustCompile(`\{\w+\}`)

// TestCatalogueIsComplete: every key has a message in Bahasa Indonesia and
// in English, none is empty or written twice, and both languages fill the
// same {placeholders}.
func TestCatalogueIsComplete(t *testing.T) {
	c := readCatalogue(t)
	if len(c.msgs) != 2 {
		t.Errorf("languages %v, want id and en", slices.Collect(maps.Keys(c.msgs)))
	}
	for _, d := range c.twice {
		t.Errorf("%s: written twice (the first is dead)", d)
	}
	for _, pair := range [][2]string{{"id", "en"}, {"en", "id"}} {
		for k, v := range c.msgs[pair[0]] {
			w, ok := c.msgs[pair[1]][k]
			if !ok {
				t.Errorf("%s: in %s, missing in %s", k, pair[0], pair[1])
				continue
			}
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: empty in %s", k, pair[0])
			}
			a, b := placeholder.FindAllString(v, -1), placeholder.FindAllString(w, -1)
			slices.Sort(a)
			slices.Sort(b)
			if pair[0] == "id" && !slices.Equal(slices.Compact(a), slices.Compact(b)) {
				t.Errorf("%s: placeholders %v in id, %v in en", k, a, b)
			}
		}
	}
}

// usedKey finds the keys the pages ask for by name: t('key'), has('key'),
// data-i18n="key" (and its -title, -aria, -placeholder forms).
var usedKey = regexp.MustCompile(`(?:^|[^\w.$])(?:t|has)\('([A-Za-z][\w.]*\w)'|data-i18n(?:-title|-aria|-placeholder)?="([^"$]+)"`)

// TestPagesAskOnlyForKnownKeys: every key a page or script names exists in
// the catalogue (the English fallback to the key itself never shows).
func TestPagesAskOnlyForKnownKeys(t *testing.T) {
	c := readCatalogue(t)
	files, err := fs.Glob(staticFS, "static/js/*.js")
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := fs.Glob(staticFS, "static/*.html")
	used := 0
	for _, name := range append(files, pages...) {
		b, err := staticFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usedKey.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2]
			used++
			if _, ok := c.msgs["id"][key]; !ok {
				t.Errorf("%s asks for %q, which the catalogue lacks", name, key)
			}
		}
	}
	if used < 500 {
		t.Fatalf("only %d keys found in the pages: the pattern is broken", used)
	}
}

// TestEveryCodeHasItsLabel: every code the server sends a page (the
// catalog's lists, the error codes) has its label, "kind.code", in both
// languages: the pages show label(kind, code) and never the bare code.
func TestEveryCodeHasItsLabel(t *testing.T) {
	c := readCatalogue(t)
	kinds := map[string][]string{
		"cat":             codes(cc112.Categories),
		"istatus":         codes(cc112.IncidentStatuses),
		"ustatus":         codes(cc112.UnitStatuses),
		"utype":           codes(cc112.UnitTypes),
		"cstatus":         codes(cc112.CameraStatuses),
		"alert.kind":      codes(cc112.AlertKinds),
		"alert.sev":       codes(cc112.AlertSeverities),
		"agency":          callcenter.DefaultAgencies,
		"complaintCat":    cc112.ComplaintCategories,
		"complaintStatus": cc112.ComplaintStatuses,
		"channel":         cc112.ComplaintChannels,
		"err":             cc112.ErrorCodes(),
		"role":            codes(auth.Roles()),
	}
	for p := cc112.MinPriority; p <= cc112.MaxPriority; p++ {
		kinds["priority"] = append(kinds["priority"], fmt.Sprint(p))
	}
	for kind, list := range kinds {
		for _, code := range list {
			for _, lang := range []string{"id", "en"} {
				if _, ok := c.msgs[lang][kind+"."+code]; !ok {
					t.Errorf("%s.%s: no label in %s", kind, code, lang)
				}
			}
		}
	}
}

// TestOneWordPerStatus: a status is called the same on every page (the
// board, the timeline, the log, the unit's buttons): one term per language.
func TestOneWordPerStatus(t *testing.T) {
	c := readCatalogue(t)
	same := [][]string{
		{"ustatus.dispatched", "istatus.dispatched", "detail.dispatched", "log.dispatched"},
		{"ustatus.enroute", "istatus.enroute", "detail.enroute", "log.enroute", "unit.enroute"},
		{"ustatus.onscene", "istatus.onscene", "detail.onscene", "log.onscene", "unit.onscene"},
		{"ustatus.transporting", "unit.transporting"},
		{"ustatus.offduty", "unit.offduty"},
		{"istatus.closed", "detail.closed", "log.closed"},
	}
	for _, lang := range []string{"id", "en"} {
		for _, keys := range same {
			want := c.msgs[lang][keys[0]]
			for _, k := range keys[1:] {
				if got := c.msgs[lang][k]; got != want {
					t.Errorf("%s %s is %q, %s is %q: one term for one status", lang, k, got, keys[0], want)
				}
			}
		}
	}
}
