package ui

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"cc112/internal/testenv"
)

// themeColours reads the colour variables of ui/static/css/theme.css (the
// one home of the colour language, docs/ui.md), resolving var(--x).
func themeColours(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), "ui", "static", "css", "theme.css"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z0-9-]+):\s*([^;]+);`).FindAllStringSubmatch(string(raw), -1) {
		vars[m[1]] = strings.TrimSpace(m[2])
	}
	ref := regexp.MustCompile(`^var\(--([a-z0-9-]+)\)$`)
	for k, v := range vars {
		for i := 0; i < 5; i++ {
			if m := ref.FindStringSubmatch(v); m != nil {
				v = vars[m[1]]
			}
		}
		vars[k] = v
	}
	return vars
}

// rgb parses #rrggbb.
func rgb(t *testing.T, hex string) [3]float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("colour %q: want #rrggbb", hex)
	}
	var c [3]float64
	for i := range c {
		n, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		c[i] = float64(n) / 255
	}
	return c
}

// linear undoes the sRGB transfer curve.
func linear(c [3]float64) [3]float64 {
	for i, v := range c {
		if v <= 0.04045 {
			c[i] = v / 12.92
		} else {
			c[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return c
}

// luminance is WCAG 2's relative luminance.
func luminance(c [3]float64) float64 {
	l := linear(c)
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

// contrast is WCAG 2's contrast ratio of two colours.
func contrast(a, b [3]float64) float64 {
	x, y := luminance(a), luminance(b)
	if x < y {
		x, y = y, x
	}
	return (x + 0.05) / (y + 0.05)
}

// deuteranopia simulates full deuteranopia (Machado, Oliveira and
// Fernandes 2009, severity 1) in linear RGB.
func deuteranopia(c [3]float64) [3]float64 {
	m := [3][3]float64{{0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}}
	l := linear(c)
	var out [3]float64
	for i := range out {
		v := m[i][0]*l[0] + m[i][1]*l[1] + m[i][2]*l[2]
		out[i] = math.Max(0, math.Min(1, v))
	}
	return out
}

// lab converts linear RGB (D65) to CIELAB.
func lab(l [3]float64) [3]float64 {
	x := (0.4124*l[0] + 0.3576*l[1] + 0.1805*l[2]) / 0.95047
	y := 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
	z := (0.0193*l[0] + 0.1192*l[1] + 0.9505*l[2]) / 1.08883
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	return [3]float64{116*f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))}
}

// deltaE is the CIE76 distance of two colours as a deuteranope sees them.
func deltaE(a, b [3]float64) float64 {
	p, q := lab(deuteranopia(a)), lab(deuteranopia(b))
	return math.Sqrt((p[0]-q[0])*(p[0]-q[0]) + (p[1]-q[1])*(p[1]-q[1]) + (p[2]-q[2])*(p[2]-q[2]))
}

// The pure functions against known values: white on black is 21:1, a
// colour against itself 1:1; red and green, far apart for most eyes, are
// close for a deuteranope, blue and yellow stay apart.
func TestColourMaths(t *testing.T) {
	white, black := rgb(t, "#ffffff"), rgb(t, "#000000")
	if got := contrast(white, black); math.Abs(got-21) > 1e-9 {
		t.Fatalf("white on black %.3f", got)
	}
	if got := contrast(rgb(t, "#767676"), white); math.Abs(got-4.54) > 0.01 {
		t.Fatalf("#767676 on white %.3f, want 4.54", got)
	}
	red, green := rgb(t, "#ff0000"), rgb(t, "#00ff00")
	blue, yellow := rgb(t, "#0000ff"), rgb(t, "#ffff00")
	if rg, by := deltaE(red, green), deltaE(blue, yellow); rg > 40 || by < 100 {
		t.Fatalf("deuteranope: red–green ΔE %.1f (want small), blue–yellow %.1f (want large)", rg, by)
	}
}

// minDeltaE is the smallest CIE76 distance two colours of one channel keep
// for a deuteranope: clearly told apart at a glance on a wall.
const minDeltaE = 15

// The colour language of theme.css holds (docs/ui.md): each channel's
// colours are told apart with deuteranopia, text and marks meet WCAG AA on
// the panes they sit on, text on a status or health fill is readable.
func TestColourLanguage(t *testing.T) {
	v := themeColours(t)
	c := func(name string) [3]float64 {
		t.Helper()
		hex, ok := v[name]
		if !ok {
			t.Fatalf("theme.css has no --%s", name)
		}
		return rgb(t, hex)
	}
	channels := map[string][]string{
		"unit status": {"available", "dispatched", "enroute", "onscene", "transport", "offduty"},
		"priority":    {"p1", "p2", "p3", "p4"},
		"health":      {"ok", "warn", "late", "unknown"},
	}
	for ch, names := range channels {
		for i, a := range names {
			for _, b := range names[i+1:] {
				if d := deltaE(c(a), c(b)); d < minDeltaE {
					t.Errorf("%s: --%s and --%s are %.1f apart for a deuteranope (want ≥ %d)", ch, a, b, d, minDeltaE)
				}
			}
		}
	}
	// No hue means two things: a unit status colour is not a health colour.
	for _, s := range channels["unit status"] {
		for _, h := range []string{"warn", "late"} {
			if d := deltaE(c(s), c(h)); d < minDeltaE {
				t.Errorf("--%s (status) and --%s (health) are %.1f apart for a deuteranope", s, h, d)
			}
		}
	}
	type pair struct {
		fg, bg string
		min    float64
		why    string
	}
	var pairs []pair
	for _, bg := range []string{"bg", "pane", "pane2"} {
		pairs = append(pairs, pair{"text", bg, 4.5, "text"}, pair{"muted", bg, 4.5, "secondary text"})
		for _, s := range append(channels["health"], "available", "dispatched", "enroute", "onscene", "transport") {
			pairs = append(pairs, pair{s, bg, 4.5, "a state's word in its colour"})
		}
		for _, s := range []string{"offduty", "p1", "p2", "p3", "focus"} {
			pairs = append(pairs, pair{s, bg, 3, "a mark (bar, border, outline) on a pane"})
		}
	}
	for _, s := range channels["unit status"] {
		pairs = append(pairs, pair{"on-status", s, 4.5, "text on a status fill"})
	}
	pairs = append(pairs, pair{"on-p1", "p1", 4.5, "the P1 badge"}, pair{"on-p2", "p2", 4.5, "the P2 badge"},
		pair{"on-warn", "warn", 4.5, "text on amber"}, pair{"on-late", "late", 4.5, "text on red"},
		pair{"on-go", "go", 4.5, "a primary button"}, pair{"text", "danger", 4.5, "a destructive button"})
	for _, p := range pairs {
		if got := contrast(c(p.fg), c(p.bg)); got < p.min {
			t.Errorf("--%s on --%s (%s): contrast %.2f, want ≥ %.1f", p.fg, p.bg, p.why, got, p.min)
		}
	}
	t.Log(fmt.Sprintf("%d contrast pairs checked", len(pairs)))
}
