// Package osmand reads the positions that GPS trackers and the Traccar
// Client app send in the OsmAnd protocol: query or form parameters (id,
// lat, lon or location=lat,lon, timestamp, speed in knots, bearing or
// heading, accuracy or hacc), or Traccar Client's JSON body. It is strict
// about what moves a unit on the map (an identifier, both coordinates,
// numbers that are numbers, a time it can read) and lenient about the rest
// (the many extra fields real trackers send are ignored). It knows nothing
// of HTTP or of the engine.
package osmand

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"cc112"
)

// Fix is one position report. Secret is the device's secret, given as
// key=SECRET or inside the identifier as DEVICE:SECRET (the Traccar Client
// app has a field for the identifier only). Speed is in m/s; At is zero
// when the device sent no time.
type Fix struct {
	Device, Secret           string
	Lat, Lon                 float64
	Speed, Heading, Accuracy *float64
	At                       time.Time
}

// StaleAfter is how old a fix may be and still move the unit on the map:
// trackers resend fixes buffered while offline, and an old one must not
// jump a unit back to where it was.
const StaleAfter = 2 * time.Minute

// Stale reports whether the fix is too old to show at now.
func (f Fix) Stale(now time.Time) bool { return !f.At.IsZero() && now.Sub(f.At) > StaleAfter }

// knots converts the protocol's speed (knots, as Traccar Client sends it
// in parameters) to m/s.
const knots = 1852.0 / 3600

// maxParam bounds one parameter's length.
const maxParam = 200

// ParseParams reads a report from query or form parameters; key is a
// secret given outside them (a header), used when the parameters carry none.
func ParseParams(p url.Values, key string) (Fix, error) {
	var fix Fix
	for name, vs := range p {
		for _, v := range vs {
			if err := cc112.CheckText(name, v, maxParam); err != nil {
				return fix, err
			}
		}
	}
	id := first(p, "id", "deviceid")
	if id == "" {
		return fix, cc112.Errorf(cc112.EInvalid, "id (the device identifier) is required")
	}
	fix.Device, fix.Secret = splitID(id, first(p, "key"), key)
	lat, lon := p.Get("lat"), p.Get("lon")
	if loc := p.Get("location"); lat == "" && loc != "" {
		lat, lon, _ = strings.Cut(loc, ",")
	}
	pt, err := cc112.PointOfText(lat, lon)
	if err != nil {
		return fix, err
	}
	fix.Lat, fix.Lon = pt.Lat, pt.Lon
	if fix.Speed, err = cc112.ParseNumber("speed", p.Get("speed")); err != nil {
		return fix, err
	}
	if fix.Speed != nil {
		v := *fix.Speed * knots
		fix.Speed = &v
	}
	if fix.Heading, err = cc112.ParseNumber("bearing", first(p, "bearing", "heading")); err != nil {
		return fix, err
	}
	if fix.Accuracy, err = cc112.ParseNumber("accuracy", first(p, "accuracy", "hacc")); err != nil {
		return fix, err
	}
	if ts := p.Get("timestamp"); ts != "" {
		if fix.At, err = ParseTime(ts); err != nil {
			return fix, err
		}
	}
	return fix, nil
}

// TraccarBody is Traccar Client's JSON report (speed in m/s, heading and
// speed -1 when unknown); the HTTP side decodes it, Fix reads it.
type TraccarBody struct {
	DeviceID string `json:"device_id"`
	Location struct {
		Timestamp string `json:"timestamp"`
		Coords    struct {
			Latitude  *float64 `json:"latitude"`
			Longitude *float64 `json:"longitude"`
			Speed     *float64 `json:"speed"`
			Heading   *float64 `json:"heading"`
			Accuracy  *float64 `json:"accuracy"`
		} `json:"coords"`
	} `json:"location"`
}

// Fix reads the report; key is a secret given outside the body (?key= or a
// header), which wins over one inside device_id.
func (b *TraccarBody) Fix(key string) (Fix, error) {
	c := b.Location.Coords
	switch {
	case b.DeviceID == "":
		return Fix{}, cc112.Errorf(cc112.EInvalid, "device_id is required")
	case c.Latitude == nil:
		return Fix{}, cc112.Errorf(cc112.EInvalid, "location.coords.latitude is required")
	case c.Longitude == nil:
		return Fix{}, cc112.Errorf(cc112.EInvalid, "location.coords.longitude is required")
	}
	if err := cc112.CheckText("device_id", b.DeviceID, maxParam); err != nil {
		return Fix{}, err
	}
	pt, err := cc112.PointOf(c.Latitude, c.Longitude)
	if err != nil {
		return Fix{}, err
	}
	fix := Fix{Lat: pt.Lat, Lon: pt.Lon, Accuracy: c.Accuracy}
	fix.Device, fix.Secret = splitID(b.DeviceID, key, "")
	if c.Speed != nil && *c.Speed >= 0 {
		fix.Speed = c.Speed
	}
	if c.Heading != nil && *c.Heading >= 0 {
		fix.Heading = c.Heading
	}
	if b.Location.Timestamp != "" {
		if fix.At, err = ParseTime(b.Location.Timestamp); err != nil {
			return fix, err
		}
	}
	return fix, nil
}

// splitID takes "DEVICE:SECRET" apart; a separate key wins, then a
// fallback (a header).
func splitID(id, key, fallback string) (device, secret string) {
	device, secret, _ = strings.Cut(id, ":")
	if key != "" {
		secret = key
	}
	if secret == "" {
		secret = fallback
	}
	return device, secret
}

// first is the first non-empty of the named parameters (trackers use
// either name).
func first(p url.Values, names ...string) string {
	for _, n := range names {
		if v := p.Get(n); v != "" {
			return v
		}
	}
	return ""
}

// ParseTime accepts what trackers send: Unix seconds, Unix milliseconds,
// RFC 3339, or "2006-01-02 15:04:05" (UTC).
func ParseTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n > 1e11 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, cc112.Errorf(cc112.EInvalid, "timestamp %q is not Unix seconds, milliseconds or RFC 3339", v)
}
