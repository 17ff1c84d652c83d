package cc112

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"cc112/geo"
)

// CameraStatus is the health of a camera as last probed.
type CameraStatus string

// Camera statuses.
const (
	CameraOnline  CameraStatus = "online"
	CameraStalled CameraStatus = "stalled"
	CameraOffline CameraStatus = "offline"
	CameraUnknown CameraStatus = "unknown"
)

// CameraStatuses lists every camera status, healthiest first.
var CameraStatuses = []CameraStatus{CameraOnline, CameraStalled, CameraOffline, CameraUnknown}

// Valid reports whether s is a known camera status.
func (s CameraStatus) Valid() bool { return slices.Contains(CameraStatuses, s) }

// Camera is one CCTV camera point. RTSP URLs may hold credentials and are
// never serialised to clients: they carry json:"-".
type Camera struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Area       string       `json:"area,omitempty"`
	District   string       `json:"district,omitempty"`
	Location   geo.Point    `json:"location"`
	Status     CameraStatus `json:"status"`
	StatusAt   *time.Time   `json:"status_at,omitempty"`
	HasVideo   bool         `json:"has_video"`
	RTSPURL    string       `json:"-"`
	SubRTSPURL string       `json:"-"`
	// PTZ cameras: ONVIFURL is the ONVIF PTZ service (http(s)://, may hold
	// user:password: never serialised), ONVIFProfile its media profile
	// token, Heading where its pan 0 faces (degrees from north, clockwise)
	// for pointing it at a place. PTZ is derived: it has an ONVIFURL.
	ONVIFURL     string   `json:"-"`
	ONVIFProfile string   `json:"onvif_profile,omitempty"`
	Heading      *float64 `json:"heading,omitempty"`
	PTZ          bool     `json:"ptz,omitempty"`
}

// Validate checks a camera before it is registered, whatever brought it (an
// admin's POST, a CSV file, the demo): an id fit for a URL path, a name,
// text fields by the text rule, a real location, and RTSP URLs that are
// rtsp:// or rtsps:// with a host (optional: a camera point may have no
// video). Messages never repeat a URL: it may hold credentials.
func (c *Camera) Validate() error {
	if c.ID == "" || strings.ContainsAny(c.ID, "/?#% ") {
		return Errorf(EInvalid, "camera id %q: required, without / ? # %% or spaces", c.ID)
	}
	if strings.TrimSpace(c.Name) == "" {
		return Errorf(EInvalid, "camera %s: name is required", c.ID)
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"id", c.ID, 64}, {"name", c.Name, 200}, {"area", c.Area, 200}, {"rtsp_url", c.RTSPURL, 2000}, {"sub_rtsp_url", c.SubRTSPURL, 2000}} {
		if err := CheckText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if err := CheckPoint(c.Location); err != nil {
		return err
	}
	if err := checkRTSPURL("rtsp_url", c.RTSPURL); err != nil {
		return err
	}
	if err := checkRTSPURL("sub_rtsp_url", c.SubRTSPURL); err != nil {
		return err
	}
	if c.Heading != nil && !(*c.Heading >= 0 && *c.Heading < 360) {
		return Errorf(EInvalid, "heading must be 0 to 360 degrees")
	}
	if err := CheckText("onvif_profile", c.ONVIFProfile, 64); err != nil {
		return err
	}
	if c.ONVIFURL == "" {
		return nil
	}
	if u, err := url.Parse(c.ONVIFURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(c.ONVIFURL) > 2000 {
		return Errorf(EInvalid, "onvif_url must be an http:// or https:// URL with a host")
	}
	return nil
}

// checkRTSPURL accepts "" and rtsp:// or rtsps:// URLs with a host.
func checkRTSPURL(field, raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "rtsp" && u.Scheme != "rtsps") || u.Host == "" {
		return Errorf(EInvalid, "%s must be an rtsp:// or rtsps:// URL with a host", field)
	}
	return nil
}
