package cc112

import (
	"strings"
	"testing"

	"cc112/geo"
)

func TestCameraValidate(t *testing.T) {
	ok := Camera{ID: "cam-1", Name: "Tugu Pahlawan", Location: geo.Point{Lat: -7.2458, Lon: 112.7378}}
	for _, c := range []struct {
		name  string
		edit  func(*Camera)
		field string // "" when valid
	}{
		{"a point without video", func(*Camera) {}, ""},
		{"rtsp", func(c *Camera) { c.RTSPURL = "rtsp://user:pw@10.0.0.5:554/stream1" }, ""},
		{"rtsps sub-stream", func(c *Camera) { c.SubRTSPURL = "rtsps://cam.example/sub" }, ""},
		{"http is not a camera stream", func(c *Camera) { c.RTSPURL = "http://10.0.0.5/stream" }, "rtsp_url"},
		{"no host", func(c *Camera) { c.SubRTSPURL = "rtsp:///x" }, "sub_rtsp_url"},
		{"id with a slash", func(c *Camera) { c.ID = "a/b" }, "id"},
		{"blank name", func(c *Camera) { c.Name = "  " }, "name"},
		{"NUL in the area", func(c *Camera) { c.Area = "Genteng\x00" }, "area"},
		{"0,0", func(c *Camera) { c.Location = geo.Point{} }, "location"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cam := ok
			c.edit(&cam)
			err := cam.Validate()
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.field != "" && (err == nil || ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), c.field)):
				t.Fatalf("got %v, want invalid_argument naming %s", err, c.field)
			case err != nil && strings.Contains(err.Error(), "pw@"):
				t.Fatalf("the message repeats a URL with credentials: %v", err)
			}
		})
	}
}
