package callcenter

import (
	"strings"

	"cc112"
)

// NormalizePhone turns a phone number as people and phones write it into
// E.164: "+6281234567890", "6281234567890", "081234567890",
// "0812-3456-7890" and "(031) 534 0000" all become +62…. Other countries'
// numbers must come with their "+". Spaces, dashes, dots and parentheses
// are ignored; anything else is refused.
func NormalizePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", cc112.Errorf(cc112.EInvalid, "phone number is required").Because(cc112.RPhoneInvalid)
	}
	if len(s) > 32 {
		return "", cc112.Errorf(cc112.EInvalid, "phone number %.32q… is too long", s).Because(cc112.RPhoneInvalid)
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", cc112.Errorf(cc112.EInvalid, "phone number %q: unexpected %q", s, r).Because(cc112.RPhoneInvalid)
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "+"):
		d = d[1:]
	case strings.HasPrefix(d, "00"): // international prefix dialled from Indonesia
		d = d[2:]
	case strings.HasPrefix(d, "0"):
		d = "62" + d[1:]
	case strings.HasPrefix(d, "62"):
	default:
		return "", cc112.Errorf(cc112.EInvalid, "phone number %q: write it as 08… or +62…", s).Because(cc112.RPhoneInvalid)
	}
	// E.164: at most 15 digits, no leading zero in the country code.
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return "", cc112.Errorf(cc112.EInvalid, "phone number %q is not a valid number (E.164 has 8 to 15 digits)", s).Because(cc112.RPhoneInvalid)
	}
	if strings.HasPrefix(d, "62") && (len(d) < 10 || d[2] == '0') {
		return "", cc112.Errorf(cc112.EInvalid, "phone number %q is not a valid Indonesian number", s).Because(cc112.RPhoneInvalid)
	}
	return "+" + d, nil
}

// CheckNIK checks an Indonesian identity number (Nomor Induk Kependudukan):
// exactly 16 digits. Spaces and dots people type between groups are
// removed.
func CheckNIK(s string) (string, error) {
	s = strings.NewReplacer(" ", "", ".", "").Replace(strings.TrimSpace(s))
	if len(s) != 16 {
		return "", cc112.Errorf(cc112.EInvalid, "NIK must have 16 digits, got %d characters", len(s))
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", cc112.Errorf(cc112.EInvalid, "NIK must have only digits")
		}
	}
	if s == "0000000000000000" {
		return "", cc112.Errorf(cc112.EInvalid, "NIK 0000000000000000 is not a real number")
	}
	return s, nil
}
