package onvif_test

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cc112/cctv/onvif"
)

// double is a PTZ service that reads the real SOAP 1.2 messages (the
// ONVIF PTZ service specification's request and response elements) and
// checks their WS-Security UsernameToken as a camera does: a digest of
// nonce, created and password, created within five minutes of its clock.
type double struct {
	t        *testing.T
	user, pw string
	now      time.Time
	mu       sync.Mutex
	calls    []string // "ContinuousMove pan=0.5 tilt=0 zoom= timeout=PT2S"
}

type envelope struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Header  struct {
		Security struct {
			Token struct {
				Username string `xml:"Username"`
				Password struct {
					Type  string `xml:"Type,attr"`
					Value string `xml:",chardata"`
				} `xml:"Password"`
				Nonce   string `xml:"Nonce"`
				Created string `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd Created"`
			} `xml:"UsernameToken"`
		} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Security"`
	} `xml:"Header"`
	Body struct {
		Op struct {
			XMLName  xml.Name
			Profile  string `xml:"ProfileToken"`
			Preset   string `xml:"PresetToken"`
			Timeout  string `xml:"Timeout"`
			Velocity vec    `xml:"Velocity"`
			Position vec    `xml:"Position"`
			PanTilt  string `xml:"PanTilt"`
			Zoom     string `xml:"Zoom"`
		} `xml:",any"`
	} `xml:"Body"`
}

type vec struct {
	PanTilt *struct {
		X string `xml:"x,attr"`
		Y string `xml:"y,attr"`
	} `xml:"http://www.onvif.org/ver10/schema PanTilt"`
	Zoom *struct {
		X string `xml:"x,attr"`
	} `xml:"http://www.onvif.org/ver10/schema Zoom"`
}

func (v vec) String() string {
	s := ""
	if v.PanTilt != nil {
		s += "pan=" + v.PanTilt.X + " tilt=" + v.PanTilt.Y
	}
	if v.Zoom != nil {
		s += " zoom=" + v.Zoom.X
	}
	return strings.TrimSpace(s)
}

func fault(w http.ResponseWriter, code, sub, text string) {
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="`+onvif.NSEnvelope+`" xmlns:ter="http://www.onvif.org/ver10/error">`+
		`<env:Body><env:Fault><env:Code><env:Value>`+code+`</env:Value><env:Subcode><env:Value>`+sub+`</env:Value></env:Subcode></env:Code>`+
		`<env:Reason><env:Text xml:lang="en">`+text+`</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`)
}

func (d *double) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/soap+xml") || !strings.Contains(ct, `action="`+onvif.NSPTZ+"/") {
		fault(w, "env:Sender", "ter:InvalidArgVal", "not a SOAP 1.2 PTZ request: "+ct)
		return
	}
	var env envelope
	if err := xml.NewDecoder(r.Body).Decode(&env); err != nil {
		fault(w, "env:Sender", "ter:WellFormed", err.Error())
		return
	}
	tok := env.Header.Security.Token
	nonce, _ := base64.StdEncoding.DecodeString(tok.Nonce)
	created, err := time.Parse(time.RFC3339, tok.Created)
	if tok.Username != d.user || tok.Password.Type != onvif.PasswordDigestType || len(nonce) == 0 || err != nil ||
		created.Sub(d.now).Abs() > 5*time.Minute || tok.Password.Value != onvif.Digest(nonce, tok.Created, d.pw) {
		fault(w, "env:Sender", "ter:NotAuthorized", "Sender not Authorized")
		return
	}
	op := env.Body.Op
	if op.XMLName.Space != onvif.NSPTZ || op.Profile != "Profile_1" {
		fault(w, "env:Sender", "ter:InvalidArgVal", "unknown operation or profile "+op.XMLName.Local+" "+op.Profile)
		return
	}
	answer := ""
	var call string
	switch op.XMLName.Local {
	case "ContinuousMove":
		call = "ContinuousMove " + op.Velocity.String() + " timeout=" + op.Timeout
	case "AbsoluteMove":
		call = "AbsoluteMove " + op.Position.String()
	case "Stop":
		call = "Stop pantilt=" + op.PanTilt + " zoom=" + op.Zoom
	case "GotoPreset":
		if op.Preset != "1" && op.Preset != "2" {
			fault(w, "env:Sender", "ter:NoToken", "no preset "+op.Preset)
			return
		}
		call = "GotoPreset " + op.Preset
	case "GetPresets":
		call = "GetPresets"
		answer = `<tptz:Preset token="1"><tt:Name>Gerbang Tugu</tt:Name><tt:PTZPosition><tt:PanTilt x="0.1" y="0"/><tt:Zoom x="0"/></tt:PTZPosition></tptz:Preset>` +
			`<tptz:Preset token="2"><tt:Name>Jl. Pahlawan &amp; Kebon Rojo</tt:Name></tptz:Preset>`
	default:
		fault(w, "env:Receiver", "ter:ActionNotSupported", op.XMLName.Local)
		return
	}
	d.mu.Lock()
	d.calls = append(d.calls, call)
	d.mu.Unlock()
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="`+onvif.NSEnvelope+`" xmlns:tptz="`+onvif.NSPTZ+`" xmlns:tt="`+onvif.NSSchema+`">`+
		`<env:Body><tptz:`+op.XMLName.Local+`Response>`+answer+`</tptz:`+op.XMLName.Local+`Response></env:Body></env:Envelope>`)
}

func f(v float64) *float64 { return &v }

// TestPTZAgainstDouble drives every call against the double and checks
// what it read, and that a wrong password and an unknown preset come back
// as the camera's faults.
func TestPTZAgainstDouble(t *testing.T) {
	now := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC) // midnight WIB
	d := &double{t: t, user: "operator", pw: "s3cret<&>", now: now}
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
	if strings.Join(d.calls, "|") != strings.Join(want, "|") {
		t.Errorf("the camera read\n%q\nwant\n%q", d.calls, want)
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
