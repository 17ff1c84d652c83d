// Package onvif is the few ONVIF PTZ service calls a command center needs
// to turn a camera (ContinuousMove, AbsoluteMove, Stop, GetPresets,
// GotoPreset), as SOAP 1.2 over HTTP with a WS-Security UsernameToken
// (PasswordDigest), and the geometry of pointing a camera at a place. It
// imports nothing from the application.
//
// A real camera adds what this leaves out: discovery (WS-Discovery),
// GetCapabilities/GetServices to find the PTZ service's address,
// GetProfiles for the profile token, GetConfigurationOptions for its
// spaces and speed limits (this uses the generic normalised spaces:
// pan and tilt −1…1, zoom 0…1), clock skew (the digest's Created must be
// close to the camera's clock: GetSystemDateAndTime), and HTTP digest
// authentication on some firmware instead of WS-Security.
package onvif

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Namespaces of the messages.
const (
	NSEnvelope = "http://www.w3.org/2003/05/soap-envelope"
	NSPTZ      = "http://www.onvif.org/ver20/ptz/wsdl"
	NSSchema   = "http://www.onvif.org/ver10/schema"
	NSSecurity = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	NSUtility  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	// PasswordDigestType marks a digest password in a UsernameToken.
	PasswordDigestType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
	base64Binary       = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

// Client calls one camera's PTZ service.
type Client struct {
	XAddr    string // the PTZ service URL, e.g. http://10.0.0.9/onvif/ptz_service
	Username string
	Password string
	Profile  string // the media profile token
	HTTP     *http.Client
	Now      func() time.Time
}

// Vector is a PTZ position or speed in the generic spaces; nil parts are
// left out.
type Vector struct {
	Pan, Tilt *float64
	Zoom      *float64
}

// Preset is a stored position of the camera.
type Preset struct {
	Token string `json:"token"`
	Name  string `json:"name"`
}

// Fault is a SOAP fault from the camera.
type Fault struct {
	Status  int
	Code    string // the subcode, e.g. ter:NotAuthorized
	Message string
}

func (f *Fault) Error() string { return fmt.Sprintf("onvif: %s (%d): %s", f.Code, f.Status, f.Message) }

// Digest is the UsernameToken PasswordDigest: Base64(SHA-1(nonce +
// created + password)).
func Digest(nonce []byte, created, password string) string {
	h := sha1.New()
	h.Write(nonce)
	h.Write([]byte(created))
	h.Write([]byte(password))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// vector writes a tt:PanTilt and tt:Zoom.
func vector(v Vector) string {
	var b strings.Builder
	if v.Pan != nil || v.Tilt != nil {
		b.WriteString(`<tt:PanTilt`)
		if v.Pan != nil {
			b.WriteString(` x="` + num(*v.Pan) + `"`)
		}
		if v.Tilt != nil {
			b.WriteString(` y="` + num(*v.Tilt) + `"`)
		}
		b.WriteString(`/>`)
	}
	if v.Zoom != nil {
		b.WriteString(`<tt:Zoom x="` + num(*v.Zoom) + `"/>`)
	}
	return b.String()
}

// call sends one request body (inside s:Body) and decodes the response
// body into out (nil: ignored).
func (c *Client) call(ctx context.Context, action, body string, out any) error {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	created := now().UTC().Format("2006-01-02T15:04:05.000Z")
	env := `<?xml version="1.0" encoding="UTF-8"?>` +
		`<s:Envelope xmlns:s="` + NSEnvelope + `" xmlns:tptz="` + NSPTZ + `" xmlns:tt="` + NSSchema + `">` +
		`<s:Header><wsse:Security s:mustUnderstand="1" xmlns:wsse="` + NSSecurity + `" xmlns:wsu="` + NSUtility + `">` +
		`<wsse:UsernameToken><wsse:Username>` + esc(c.Username) + `</wsse:Username>` +
		`<wsse:Password Type="` + PasswordDigestType + `">` + Digest(nonce, created, c.Password) + `</wsse:Password>` +
		`<wsse:Nonce EncodingType="` + base64Binary + `">` + base64.StdEncoding.EncodeToString(nonce) + `</wsse:Nonce>` +
		`<wsu:Created>` + created + `</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>` +
		`<s:Body>` + body + `</s:Body></s:Envelope>`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.XAddr, strings.NewReader(env))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", `application/soap+xml; charset=utf-8; action="`+NSPTZ+"/"+action+`"`)
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Second}
	}
	res, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("onvif %s: %w", action, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("onvif %s: %w", action, err)
	}
	var resp struct {
		Body struct {
			Fault *struct {
				Code struct {
					Subcode struct {
						Value string `xml:"Value"`
					} `xml:"Subcode"`
				} `xml:"Code"`
				Reason struct {
					Text string `xml:"Text"`
				} `xml:"Reason"`
			} `xml:"Fault"`
			Inner []byte `xml:",innerxml"`
		} `xml:"Body"`
	}
	if err := xml.Unmarshal(raw, &resp); err != nil {
		return fmt.Errorf("onvif %s: answer %d is not SOAP: %w", action, res.StatusCode, err)
	}
	if f := resp.Body.Fault; f != nil {
		return &Fault{Status: res.StatusCode, Code: f.Code.Subcode.Value, Message: f.Reason.Text}
	}
	if res.StatusCode != http.StatusOK {
		return &Fault{Status: res.StatusCode, Message: "HTTP " + res.Status}
	}
	if out != nil {
		if err := xml.Unmarshal(resp.Body.Inner, out); err != nil {
			return fmt.Errorf("onvif %s: %w", action, err)
		}
	}
	return nil
}

func (c *Client) profile() string {
	return `<tptz:ProfileToken>` + esc(c.Profile) + `</tptz:ProfileToken>`
}

// ContinuousMove turns the camera at a speed (−1…1) for at most timeout.
func (c *Client) ContinuousMove(ctx context.Context, speed Vector, timeout time.Duration) error {
	t := ""
	if timeout > 0 {
		t = `<tptz:Timeout>PT` + num(timeout.Seconds()) + `S</tptz:Timeout>`
	}
	return c.call(ctx, "ContinuousMove", `<tptz:ContinuousMove>`+c.profile()+`<tptz:Velocity>`+vector(speed)+`</tptz:Velocity>`+t+`</tptz:ContinuousMove>`, nil)
}

// AbsoluteMove turns the camera to a position (pan, tilt −1…1, zoom 0…1).
func (c *Client) AbsoluteMove(ctx context.Context, to Vector) error {
	return c.call(ctx, "AbsoluteMove", `<tptz:AbsoluteMove>`+c.profile()+`<tptz:Position>`+vector(to)+`</tptz:Position></tptz:AbsoluteMove>`, nil)
}

// Stop ends any movement.
func (c *Client) Stop(ctx context.Context) error {
	return c.call(ctx, "Stop", `<tptz:Stop>`+c.profile()+`<tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom></tptz:Stop>`, nil)
}

// GotoPreset turns the camera to a stored position.
func (c *Client) GotoPreset(ctx context.Context, token string) error {
	return c.call(ctx, "GotoPreset", `<tptz:GotoPreset>`+c.profile()+`<tptz:PresetToken>`+esc(token)+`</tptz:PresetToken></tptz:GotoPreset>`, nil)
}

// GetPresets lists the stored positions.
func (c *Client) GetPresets(ctx context.Context) ([]Preset, error) {
	var out struct {
		Presets []struct {
			Token string `xml:"token,attr"`
			Name  string `xml:"Name"`
		} `xml:"Preset"`
	}
	if err := c.call(ctx, "GetPresets", `<tptz:GetPresets>`+c.profile()+`</tptz:GetPresets>`, &out); err != nil {
		return nil, err
	}
	ps := make([]Preset, 0, len(out.Presets))
	for _, p := range out.Presets {
		ps = append(ps, Preset{Token: p.Token, Name: p.Name})
	}
	return ps, nil
}

// PanToward is the AbsoluteMove pan (−1…1, the generic space: ±180°) that
// turns a camera whose pan 0 faces heading (degrees from north,
// clockwise) toward a bearing.
func PanToward(heading, bearing float64) (float64, error) {
	if math.IsNaN(heading) || math.IsNaN(bearing) || math.IsInf(heading, 0) || math.IsInf(bearing, 0) {
		return 0, errors.New("onvif: heading and bearing must be numbers")
	}
	d := math.Mod(bearing-heading+540, 360) - 180 // −180…180
	return d / 180, nil
}

// Bearing is the initial great-circle bearing from one point to another,
// in degrees from north, clockwise (0…360).
func Bearing(fromLat, fromLon, toLat, toLon float64) float64 {
	φ1, φ2 := fromLat*math.Pi/180, toLat*math.Pi/180
	Δλ := (toLon - fromLon) * math.Pi / 180
	y := math.Sin(Δλ) * math.Cos(φ2)
	x := math.Cos(φ1)*math.Sin(φ2) - math.Sin(φ1)*math.Cos(φ2)*math.Cos(Δλ)
	return math.Mod(math.Atan2(y, x)*180/math.Pi+360, 360)
}

// FromURL makes a client from a service URL whose user information holds
// the credentials (http://user:password@host/onvif/ptz_service).
func FromURL(raw, profile string) (*Client, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("onvif: the service URL must be http:// or https:// with a host")
	}
	c := &Client{Profile: profile}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		u.User = nil
	}
	c.XAddr = u.String()
	return c, nil
}
