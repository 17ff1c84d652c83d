package cc112

import "unicode/utf8"

// The one rule for text that comes in from outside (issue 11.1): what a
// dispatcher reads must be what the sender typed, and every journal must be
// able to store it. PostgreSQL's jsonb cannot hold NUL at all, so a NUL that
// got in once made every later write fail.

// CheckText checks a one-line text field: valid UTF-8, at most max
// characters (runes), and no control or direction-spoofing character (see
// badRune). field names the field in the 400 answer.
func CheckText(field, v string, max int) error { return checkText(field, v, max, false) }

// CheckLines is CheckText for fields that may hold several lines
// (descriptions, complaint text, answers): tab, newline and carriage return
// are allowed there.
func CheckLines(field, v string, max int) error { return checkText(field, v, max, true) }

func checkText(field, v string, max int, lines bool) error {
	if err := CheckChars(field, v, lines); err != nil {
		return err
	}
	if max > 0 && utf8.RuneCountInString(v) > max {
		return Errorf(EInvalid, "%s is longer than %d characters", field, max).Because(RTextTooLong)
	}
	return nil
}

// CheckChars is the character rule alone, without a length bound: for
// values whose length is bounded elsewhere (a whole request body).
func CheckChars(field, v string, lines bool) error {
	for i, r := range v {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(v[i:]); size <= 1 {
				return Errorf(EInvalid, "%s is not valid UTF-8 (at byte %d)", field, i).Because(RTextInvalid)
			}
		}
		if lines && (r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		if what := badRune(r); what != "" {
			return Errorf(EInvalid, "%s must not contain %s (U+%04X at byte %d)", field, what, r, i).Because(RTextInvalid)
		}
	}
	return nil
}

// badRune says why r may not appear in text, or "" when it may.
func badRune(r rune) string {
	switch {
	case r < 0x20 || r == 0x7f:
		return "a control character"
	case r >= 0x80 && r <= 0x9f:
		return "a control character"
	// Embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069)
	// and the invisible direction marks (LRM, RLM, ALM) reorder what is
	// shown: "‮" makes a phone number or an address read backwards. No
	// script a caller in Indonesia writes needs them typed in by hand.
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return "a text-direction control character"
	case r == 0xfeff || (r >= 0xfff9 && r <= 0xfffb):
		// A byte-order mark or interlinear annotation in the middle of
		// text hides or reorders what follows.
		return "an invisible formatting character"
	}
	return ""
}
