package onvif_test

import (
	"context"
	"errors"
	"math"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"cc112/cctv/onvif"
)

func f(v float64) *float64 { return &v }

// TestPTZAgainstDouble drives every call against the double and checks
// what it read, and that a wrong password and an unknown preset come back
// as the camera's faults.
func TestPTZAgainstDouble(t *testing.T) {
	now := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC) // midnight WIB
	d := &onvif.Double{User: "operator", Password: "s3cret<&>", Now: now}
	srv := httptest.NewServer(d)
	defer srv.Close()
	c := &onvif.Client{XAddr: srv.URL + "/onvif/ptz_service", Username: "operator", Password: "s3cret<&>", Profile: "Profile_1", Now: func() time.Time { return now }}
	ctx := context.Background()
	if err := c.ContinuousMove(ctx, onvif.Vector{Pan: f(0.5), Tilt: f(0), Zoom: f(-0.25)}, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.AbsoluteMove(ctx, onvif.Vector{Pan: f(-0.75), Tilt: f(0.1)}); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	presets, err := c.GetPresets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(presets) != 2 || presets[0] != (onvif.Preset{Token: "1", Name: "Gerbang Tugu"}) || presets[1].Name != "Jl. Pahlawan & Kebon Rojo" {
		t.Errorf("presets %+v", presets)
	}
	if err := c.GotoPreset(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	want := []string{"ContinuousMove pan=0.5 tilt=0 zoom=-0.25 timeout=PT2S", "AbsoluteMove pan=-0.75 tilt=0.1", "Stop pantilt=true zoom=true", "GetPresets", "GotoPreset 2"}
	if strings.Join(d.Calls(), "|") != strings.Join(want, "|") {
		t.Errorf("the camera read\n%q\nwant\n%q", d.Calls(), want)
	}
	var fe *onvif.Fault
	if err := c.GotoPreset(ctx, "9"); !errors.As(err, &fe) || fe.Code != "ter:NoToken" || fe.Status != 400 {
		t.Errorf("unknown preset: %v", err)
	}
	bad := *c
	bad.Password = "wrong"
	if err := bad.Stop(ctx); !errors.As(err, &fe) || fe.Code != "ter:NotAuthorized" {
		t.Errorf("wrong password: %v", err)
	}
	skewed := *c
	skewed.Now = func() time.Time { return now.Add(10 * time.Minute) }
	if err := skewed.Stop(ctx); !errors.As(err, &fe) || fe.Code != "ter:NotAuthorized" {
		t.Errorf("a clock 10 minutes off: %v", err)
	}
}

func TestPointAt(t *testing.T) {
	for _, c := range []struct {
		heading, bearing, want float64
	}{
		{0, 90, 0.5}, {90, 90, 0}, {350, 10, 20.0 / 180}, {10, 350, -20.0 / 180}, {0, 180, -1}, {270, 0, 0.5},
	} {
		got, err := onvif.PanToward(c.heading, c.bearing)
		if err != nil || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("heading %v, bearing %v: pan %v, want %v", c.heading, c.bearing, got, c.want)
		}
	}
	if _, err := onvif.PanToward(math.NaN(), 0); err == nil {
		t.Error("NaN heading accepted")
	}
	// Tugu Pahlawan to the Surabaya City Hall: south-east.
	b := onvif.Bearing(-7.2458, 112.7378, -7.2588, 112.7471)
	if b < 140 || b > 150 {
		t.Errorf("bearing %v, want about 144°", strconv.FormatFloat(b, 'f', 1, 64))
	}
}
