package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/cctv/onvif"
	"cc112/geo"
)

// TestPTZ: dispatchers turn a PTZ camera through its ONVIF service (the
// test double reads the real SOAP messages), police and call-takers may
// not, "point at" turns a camera whose pan 0 faces east toward a place
// due south (pan +0.5: south is 90° clockwise of east), and the camera's
// credentials never reach a client.
func TestPTZ(t *testing.T) {
	s := newSecured(t)
	d := &onvif.Double{User: "op", Password: "hunter2", Now: time.Now()}
	srv := httptest.NewServer(d)
	defer srv.Close()
	east := 90.0
	host := strings.TrimPrefix(srv.URL, "http://")
	tugu := geo.Point{Lat: -7.2458, Lon: 112.7378}
	cams := []cc112.Camera{
		{ID: "ptz-1", Name: "PTZ Tugu", Location: tugu, Heading: &east, ONVIFURL: "http://op:hunter2@" + host + "/onvif/ptz_service", ONVIFProfile: "Profile_1"},
		{ID: "ptz-nohead", Name: "PTZ no heading", Location: tugu, ONVIFURL: "http://op:hunter2@" + host + "/onvif/ptz_service", ONVIFProfile: "Profile_1"},
		{ID: "ptz-badpw", Name: "PTZ wrong password", Location: tugu, Heading: &east, ONVIFURL: "http://op:nope@" + host + "/onvif/ptz_service", ONVIFProfile: "Profile_1"},
		{ID: "fixed", Name: "Fixed", Location: tugu},
	}
	if err := s.eng.RegisterCameras(context.Background(), cams); err != nil {
		t.Fatal(err)
	}
	ptz := func(cam string) string { return "/api/v1/cameras/" + cam + "/ptz" }
	for _, c := range []struct {
		role      auth.Role
		cam, body string
		want      int
	}{
		{auth.Police, "ptz-1", `{"stop":true}`, 403},
		{auth.CallTaker, "ptz-1", `{"stop":true}`, 403},
		{auth.Dispatcher, "fixed", `{"stop":true}`, 409},
		{auth.Dispatcher, "ptz-nohead", `{"point_at":{"lat":-7.25,"lon":112.74}}`, 409},
		{auth.Dispatcher, "ptz-badpw", `{"stop":true}`, 503},
		{auth.Dispatcher, "ptz-1", `{}`, 400},
		{auth.Dispatcher, "ptz-1", `{"stop":true,"preset":"1"}`, 400},
		{auth.Dispatcher, "ptz-1", `{"pan":2}`, 400},
		{auth.Dispatcher, "nope", `{"stop":true}`, 404},
		{auth.Dispatcher, "ptz-1", `{"pan":0.5,"zoom":-0.25}`, 200},
		{auth.Supervisor, "ptz-1", `{"preset":"2"}`, 200},
		{auth.Dispatcher, "ptz-1", `{"preset":"9"}`, 503},
		{auth.Dispatcher, "ptz-1", `{"stop":true}`, 200},
	} {
		if r := s.as(c.role, "POST", ptz(c.cam), c.body); r.status != c.want {
			t.Errorf("%s %s %s: %d %s, want %d", c.role, c.cam, c.body, r.status, r.body, c.want)
		}
	}
	var out struct {
		Done string   `json:"done"`
		Pan  *float64 `json:"pan"`
	}
	r := s.as(auth.Dispatcher, "POST", ptz("ptz-1"), `{"point_at":{"lat":-7.2558,"lon":112.7378}}`) // 1.1 km due south
	r.decode(t, &out)
	if r.status != 200 || out.Done != "point_at" || out.Pan == nil || *out.Pan < 0.499 || *out.Pan > 0.501 {
		t.Fatalf("point at: %d %s", r.status, r.body)
	}
	want := []string{"ContinuousMove pan=0.5 tilt= zoom=-0.25 timeout=PT1S", "GotoPreset 2", "Stop pantilt=true zoom=true"}
	got := d.Calls()
	if len(got) != 4 || strings.Join(got[:3], "|") != strings.Join(want, "|") || !strings.HasPrefix(got[3], "AbsoluteMove pan=0.5") {
		t.Errorf("the camera read %q", got)
	}
	for _, path := range []string{"/api/v1/cameras", "/api/v1/cameras/ptz-1"} {
		if r := s.as(auth.Police, "GET", path, ""); bytes.Contains(r.body, []byte("hunter2")) || !bytes.Contains(r.body, []byte(`"ptz":true`)) {
			t.Errorf("%s: %s", path, r.body[:min(len(r.body), 300)])
		}
	}
	var cam cc112.Camera
	_ = json.Unmarshal(s.as(auth.Police, "GET", "/api/v1/cameras/ptz-1", "").body, &cam)
	if cam.Heading == nil || *cam.Heading != 90 {
		t.Errorf("camera %+v", cam)
	}
}

// TestPTZPresets: the presets list is the camera's own (the double's two,
// names unescaped from its SOAP answer), for dispatchers and supervisors
// only; a camera without ONVIF is a conflict, one that refuses the
// credentials a 503, both in the error envelope.
func TestPTZPresets(t *testing.T) {
	s := newSecured(t)
	d := &onvif.Double{User: "op", Password: "hunter2", Now: time.Now()}
	srv := httptest.NewServer(d)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	tugu := geo.Point{Lat: -7.2458, Lon: 112.7378}
	if err := s.eng.RegisterCameras(context.Background(), []cc112.Camera{
		{ID: "ptz-1", Name: "PTZ Tugu", Location: tugu, ONVIFURL: "http://op:hunter2@" + host + "/onvif/ptz_service", ONVIFProfile: "Profile_1"},
		{ID: "ptz-badpw", Name: "PTZ wrong password", Location: tugu, ONVIFURL: "http://op:nope@" + host + "/onvif/ptz_service", ONVIFProfile: "Profile_1"},
		{ID: "fixed", Name: "Fixed", Location: tugu},
	}); err != nil {
		t.Fatal(err)
	}
	presets := func(cam string) string { return "/api/v1/cameras/" + cam + "/ptz/presets" }
	for _, c := range []struct {
		role     auth.Role
		cam      string
		want     int
		wantCode string
	}{
		{auth.Police, "ptz-1", 403, cc112.EForbidden},
		{auth.Wall, "ptz-1", 403, cc112.EForbidden},
		{auth.CallTaker, "ptz-1", 403, cc112.EForbidden},
		{auth.Dispatcher, "fixed", 409, cc112.EConflict},
		{auth.Dispatcher, "ptz-badpw", 503, cc112.EUnavailable},
		{auth.Dispatcher, "nope", 404, cc112.ENotFound},
	} {
		r := s.as(c.role, "GET", presets(c.cam), "")
		if r.status != c.want || r.errCode(t) != c.wantCode {
			t.Errorf("%s %s: %d %s, want %d %s", c.role, c.cam, r.status, r.body, c.want, c.wantCode)
		}
		if bytes.Contains(r.body, []byte("hunter2")) || bytes.Contains(r.body, []byte(host)) {
			t.Errorf("%s %s shows the camera's address: %s", c.role, c.cam, r.body)
		}
	}
	for _, role := range []auth.Role{auth.Dispatcher, auth.Supervisor} {
		var out struct {
			CameraID string         `json:"camera_id"`
			Items    []onvif.Preset `json:"items"`
		}
		r := s.as(role, "GET", presets("ptz-1"), "")
		r.decode(t, &out)
		want := []onvif.Preset{{Token: "1", Name: "Gerbang Tugu"}, {Token: "2", Name: "Jl. Pahlawan & Kebon Rojo"}}
		if r.status != 200 || out.CameraID != "ptz-1" || len(out.Items) != 2 || out.Items[0] != want[0] || out.Items[1] != want[1] {
			t.Errorf("%s presets: %d %s", role, r.status, r.body)
		}
	}
	if got := d.Calls(); len(got) != 2 || got[0] != "GetPresets" {
		t.Errorf("the camera read %q, want GetPresets twice", got)
	}
}
