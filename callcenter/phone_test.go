package callcenter

import "testing"

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"081234567890", "+6281234567890"},
		{"+6281234567890", "+6281234567890"},
		{"6281234567890", "+6281234567890"},
		{"0812-3456-7890", "+6281234567890"},
		{"(031) 534 0000", "+62315340000"},
		{"0062 812 3456 7890", "+6281234567890"},
		{"+44 20 7946 0958", "+442079460958"},
		{"", ""},
		{"12345", ""},             // neither 0… nor +…
		{"0812", ""},              // too short
		{"+62 0812 3456 789", ""}, // trunk 0 after the country code
		{"+1234567890123456", ""}, // 16 digits
		{"0812345678ab", ""},
		{"08123+4567890", ""},
		{"+", ""},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("NormalizePhone(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckNIK(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"3578010101900001", "3578010101900001", true},
		{"3578 0101 0190 0001", "3578010101900001", true},
		{"357801010190000", "", false},
		{"35780101019000011", "", false},
		{"35780101019000O1", "", false},
		{"0000000000000000", "", false},
	}
	for _, tt := range tests {
		got, err := CheckNIK(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("CheckNIK(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
