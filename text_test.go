package cc112

import (
	"strings"
	"testing"
)

func TestTextRule(t *testing.T) {
	tests := []struct {
		name, v string
		lines   bool // CheckLines rather than CheckText
		ok      bool
	}{
		{"plain", "Jl. Pahlawan No. 5, Surabaya", false, true},
		{"Javanese and emoji", "ꦱꦸꦫꦧꦪ 🚒 café", false, true},
		{"zero-width joiner stays (emoji, Indic scripts)", "👩\u200d🚒", false, true},
		{"NUL", "a\x00b", false, false},
		{"NUL where lines are allowed", "a\x00b", true, false},
		{"escape", "a\x1b[2Jb", true, false},
		{"DEL", "a\x7fb", false, false},
		{"C1 next line", "a\u0085b", true, false},
		{"newline in a one-line field", "a\nb", false, false},
		{"newline, tab, CR in a text", "a\r\n\tb", true, true},
		{"right-to-left override", "0812\u202e3456", false, false},
		{"LRE", "\u202aa", false, false},
		{"isolate", "a\u2066b\u2069", true, false},
		{"right-to-left mark", "a\u200fb", false, false},
		{"Arabic letter mark", "a\u061cb", false, false},
		{"byte-order mark", "a\ufeffb", false, false},
		{"invalid UTF-8", "a\xffb", false, false},
		{"an encoded U+FFFD is text", "a\ufffdb", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := CheckText
			if tt.lines {
				check = CheckLines
			}
			err := check("caller.name", tt.v, 100)
			if (err == nil) != tt.ok {
				t.Fatalf("%q: %v, want ok=%v", tt.v, err, tt.ok)
			}
			if err != nil && (ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "caller.name")) {
				t.Fatalf("%q: %v, want invalid_argument naming caller.name", tt.v, err)
			}
		})
	}
	if err := CheckText("name", strings.Repeat("é", 10), 10); err != nil {
		t.Fatalf("10 characters: %v (the bound counts characters, not bytes)", err)
	}
	if err := CheckText("name", strings.Repeat("é", 11), 10); err == nil {
		t.Fatal("11 characters passed a bound of 10")
	}
}

func TestCheckStorable(t *testing.T) {
	for data, ok := range map[string]bool{
		`{"a":"b"}`:         true,
		`{"a":"\u0000"}`:    false,
		`{"a":"x\\u0000"}`:  true, // an escaped backslash, then text
		`{"a":"x\\\u0000"}`: false,
		"{\"a\":\"\x00\"}":  false,
		`{"a":"\u00001"}`:   false,
		`{"a":"\u0001"}`:    true,
		`{"a":"\\\\u0000"}`: true,
	} {
		if err := CheckStorable([]byte(data)); (err == nil) != ok {
			t.Errorf("%s: %v, want ok=%v", data, err, ok)
		}
	}
}
