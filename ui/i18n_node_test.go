package ui

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"cc112/internal/testenv"
)

// TestWIBHelpersInNode runs the pages' one home of WIB dates and times
// (static/js/i18n.js) in node, in a zone far from WIB with daylight saving
// (Los Angeles), at instants around a WIB midnight: the pages' days and
// typed times must not follow the browser's zone.
func TestWIBHelpersInNode(t *testing.T) {
	got := runI18n(t, `
const at = (s) => Date.parse(s);
const back = (v) => { const d = m.fromWIBInput(v); return d ? d.toISOString() : null; };
console.log(JSON.stringify({
  offset: m.WIB_MS,
  beforeMidnight: m.wibDay(at('2026-12-06T16:59:59Z')),
  midnight: m.wibDay(new Date(at('2026-12-06T17:00:00Z'))),
  newYear: m.wibDay(at('2026-12-31T17:00:00Z')),
  midnightOf: new Date(m.wibMidnight('2026-12-07')).toISOString(),
  typed: m.toWIBInput(new Date(at('2026-12-06T17:00:05Z'))),
  read: back('2026-12-07 00:00'),
  readSeconds: back('2026-03-08 02:30:15'),
  badMonth: back('2026-13-07 00:00'),
  notATime: back('kemarin'),
  clock: m.wib(at('2026-12-06T17:00:05Z')),
}));
`)
	want := map[string]any{
		"offset":         float64(7 * 3600 * 1000),
		"beforeMidnight": "2026-12-06",
		"midnight":       "2026-12-07",
		"newYear":        "2027-01-01",
		"midnightOf":     "2026-12-06T17:00:00.000Z",
		"typed":          "2026-12-07 00:00:05",
		"read":           "2026-12-06T17:00:00.000Z",
		// 02:30 on the night Los Angeles skips an hour: WIB has no such gap.
		"readSeconds": "2026-03-07T19:30:15.000Z",
		"badMonth":    nil,
		"notATime":    nil,
		"clock":       "00:00:05",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
}

// TestCountOfOneInNode: a count of one takes the catalogue's ".one" words
// where a language has them (English), any other count the key's own.
func TestCountOfOneInNode(t *testing.T) {
	got := runI18n(t, `
const say = (n) => m.t('count.active', { n });
const id = [say(1), say(2)];
m.setLang('en');
console.log(JSON.stringify({ id1: id[0], id2: id[1], en0: say(0), en1: say(1), en2: say(2), en1s: say('1'), plain: m.t('count.active') }));
`)
	want := map[string]any{
		"id1": "1 kejadian aktif", "id2": "2 kejadian aktif",
		"en0": "0 active incidents", "en1": "1 active incident", "en2": "2 active incidents", "en1s": "1 active incident",
		"plain": "{n} active incidents",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
}

// runI18n runs script in node, in Los Angeles's zone, with static/js/i18n.js
// imported as m (and a bare document for its language switch), and returns
// the JSON object it printed.
func runI18n(t *testing.T, script string) map[string]any {
	t.Helper()
	node := testenv.Tool(t, "node")
	src, err := filepath.Abs(filepath.Join("static", "js", "i18n.js"))
	if err != nil {
		t.Fatal(err)
	}
	prelude := `globalThis.document = { documentElement: {}, querySelectorAll: () => [] };
const m = await import(process.argv[1]);
`
	cmd := exec.Command(node, "--input-type=module", "-e", prelude+script, "file://"+src)
	cmd.Env = append(os.Environ(), "TZ=America/Los_Angeles")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	return got
}
