package mse

import "testing"

func TestMIME(t *testing.T) {
	tests := []struct {
		sps  []byte
		want string
		ok   bool
	}{
		{[]byte{0x67, 0x42, 0xc0, 0x1e, 0xda}, `video/mp4; codecs="avc1.42c01e"`, true}, // Baseline 3.0
		{[]byte{0x67, 0x64, 0x00, 0x29}, `video/mp4; codecs="avc1.640029"`, true},       // High 4.1
		{[]byte{0x67, 0x42}, "", false},
	}
	for _, tc := range tests {
		got, err := MIME(tc.sps)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("MIME(% x) = %q, %v; want %q", tc.sps, got, err, tc.want)
		}
	}
}
