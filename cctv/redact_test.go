package cctv

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"rtsp://admin:s3cret@10.0.0.5:554/Streaming/Channels/101", "rtsp://***@10.0.0.5:554/Streaming/Channels/101"},
		{"rtsps://user@cam.example/live", "rtsps://***@cam.example/live"},
		{"rtsp://10.0.0.5/live", "rtsp://10.0.0.5/live"},
		{"rtsp://10.0.0.5/cgi?user=admin&password=s3cret&channel=1", "rtsp://10.0.0.5/cgi?channel=1&password=%2A%2A%2A&user=%2A%2A%2A"},
		{"rtsp://adm:p%zz@host/x", "rtsp://***"},
		{"not a url with s3cret\x7f", "***"},
	}
	for _, tc := range tests {
		got := RedactURL(tc.in)
		if got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.Contains(got, "s3cret") || strings.Contains(got, "admin") {
			t.Errorf("RedactURL(%q) = %q leaks a credential", tc.in, got)
		}
	}
}
