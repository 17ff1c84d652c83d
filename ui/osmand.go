package ui

import (
	"encoding/json"
	"math"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"cc112"
	"cc112/dispatch"
)

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.auth.Devices())
}

// postDevice registers a tracker for a unit and shows its secret once, with
// the identifier to type into the Traccar Client app (DEVICE:SECRET).
func (s *Server) postDevice(w http.ResponseWriter, r *http.Request) {
	var req struct {
		DeviceID string `json:"device_id"`
		UnitID   string `json:"unit_id"`
	}
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		secret, err := s.auth.RegisterDevice(r.Context(), req.DeviceID, req.UnitID, key, fp, *PrincipalFrom(r.Context()), clientAddr(r))
		if err != nil {
			return nil, err
		}
		out := map[string]string{"device_id": req.DeviceID, "unit_id": req.UnitID}
		if secret != "" { // a retry with the same Idempotency-Key: shown once, not again
			out["secret"], out["osmand_id"] = secret, req.DeviceID+":"+secret
		}
		return out, nil
	})
}

// knots converts the OsmAnd protocol's speed (knots, as Traccar Client
// sends it) to m/s.
const knots = 1852.0 / 3600

// staleFix is how old a fix may be and still move the unit on the map:
// trackers resend fixes buffered while offline, and an old one must not
// jump a unit back to where it was.
const staleFix = 2 * time.Minute

// osmandFix is one decoded OsmAnd/Traccar request.
type osmandFix struct {
	device, secret string
	pos            dispatch.Position
	at             time.Time // zero when the device sent none
}

// postOsmAnd takes positions from GPS trackers and the Traccar Client app
// in the OsmAnd protocol: GET or POST with query or form parameters
// (id, lat, lon or location=lat,lon, timestamp, speed in knots, bearing or
// heading, accuracy or hacc), or Traccar Client's JSON body. A device
// authenticates with its secret, given as key=SECRET or inside the id as
// id=DEVICE:SECRET (the Traccar Client app has a field for the identifier
// only); a unit user's token works too.
func (s *Server) postOsmAnd(w http.ResponseWriter, r *http.Request) {
	fix, err := parseOsmAnd(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var unitID string
	if p := PrincipalFrom(r.Context()); p != nil {
		unitID = p.UnitID
	} else if unitID, err = s.auth.AuthenticateDevice(fix.device, fix.secret); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !fix.at.IsZero() && s.eng.Clock().Now().Sub(fix.at) > staleFix {
		w.WriteHeader(http.StatusOK) // accepted, so the device drops it from its buffer
		return
	}
	if _, err := s.eng.UpdatePosition(r.Context(), unitID, fix.pos); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func parseOsmAnd(w http.ResponseWriter, r *http.Request) (osmandFix, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && mt == "application/json" {
		return parseTraccarJSON(w, r)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return osmandFix{}, cc112.Errorf(cc112.EInvalid, "could not read the parameters: %v", err)
	}
	f := r.Form
	var fix osmandFix
	id := f.Get("id")
	if id == "" {
		id = f.Get("deviceid")
	}
	for name, vs := range f {
		for _, v := range vs {
			if err := cc112.CheckText(name, v, 200); err != nil {
				return fix, err
			}
		}
	}
	fix.device, fix.secret = splitDeviceID(id, f.Get("key"))
	if fix.secret == "" {
		fix.secret = r.Header.Get("X-Device-Key")
	}
	lat, lon := f.Get("lat"), f.Get("lon")
	if loc := f.Get("location"); lat == "" && loc != "" {
		lat, lon, _ = strings.Cut(loc, ",")
	}
	var err error
	if fix.pos.Lat, err = floatParam("lat", lat, true); err != nil {
		return fix, err
	}
	if fix.pos.Lon, err = floatParam("lon", lon, true); err != nil {
		return fix, err
	}
	if fix.pos.Speed, err = floatParam("speed", f.Get("speed"), false); err != nil {
		return fix, err
	}
	if fix.pos.Speed != nil {
		v := *fix.pos.Speed * knots
		fix.pos.Speed = &v
	}
	heading := f.Get("bearing")
	if heading == "" {
		heading = f.Get("heading")
	}
	if fix.pos.Heading, err = floatParam("bearing", heading, false); err != nil {
		return fix, err
	}
	acc := f.Get("accuracy")
	if acc == "" {
		acc = f.Get("hacc")
	}
	if fix.pos.Accuracy, err = floatParam("accuracy", acc, false); err != nil {
		return fix, err
	}
	if ts := f.Get("timestamp"); ts != "" {
		if fix.at, err = parseOsmAndTime(ts); err != nil {
			return fix, err
		}
	}
	if fix.device == "" {
		return fix, cc112.Errorf(cc112.EInvalid, "id (the device identifier) is required")
	}
	return fix, nil
}

// parseTraccarJSON reads the Traccar Client app's JSON form:
// {"device_id":"…","location":{"timestamp":"…","coords":{"latitude","longitude","speed","heading","accuracy"}}}
// (speed in m/s, heading -1 when unknown).
func parseTraccarJSON(w http.ResponseWriter, r *http.Request) (osmandFix, error) {
	body, err := readBody(w, r)
	if err != nil {
		return osmandFix{}, err
	}
	var req struct {
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
	if err := checkStrings(body); err != nil {
		return osmandFix{}, err
	}
	if err := json.Unmarshal(body, &req); err != nil { // lenient: the app sends many fields we ignore
		return osmandFix{}, cc112.Errorf(cc112.EInvalid, "invalid JSON body: %s", jsonProblem(err, body, reflect.TypeOf(&req)))
	}
	c := req.Location.Coords
	switch {
	case c.Latitude == nil:
		return osmandFix{}, cc112.Errorf(cc112.EInvalid, "location.coords.latitude is required")
	case c.Longitude == nil:
		return osmandFix{}, cc112.Errorf(cc112.EInvalid, "location.coords.longitude is required")
	}
	var fix osmandFix
	fix.device, fix.secret = splitDeviceID(req.DeviceID, r.URL.Query().Get("key"))
	if fix.secret == "" {
		fix.secret = r.Header.Get("X-Device-Key")
	}
	fix.pos = dispatch.Position{Lat: c.Latitude, Lon: c.Longitude, Accuracy: c.Accuracy}
	if c.Speed != nil && *c.Speed >= 0 {
		fix.pos.Speed = c.Speed
	}
	if c.Heading != nil && *c.Heading >= 0 {
		fix.pos.Heading = c.Heading
	}
	if req.Location.Timestamp != "" {
		if fix.at, err = parseOsmAndTime(req.Location.Timestamp); err != nil {
			return fix, err
		}
	}
	if fix.device == "" {
		return fix, cc112.Errorf(cc112.EInvalid, "device_id is required")
	}
	return fix, nil
}

// splitDeviceID takes "DEVICE:SECRET" apart; a separate key wins.
func splitDeviceID(id, key string) (device, secret string) {
	device, secret, _ = strings.Cut(id, ":")
	if key != "" {
		secret = key
	}
	return device, secret
}

func floatParam(name, v string, required bool) (*float64, error) {
	if v == "" {
		if required {
			return nil, cc112.Errorf(cc112.EInvalid, "%s is required", name)
		}
		return nil, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, cc112.Errorf(cc112.EInvalid, "%s must be a number, not %q", name, v)
	}
	return &f, nil
}

// parseOsmAndTime accepts what trackers send: Unix seconds, Unix
// milliseconds, RFC 3339, or "2006-01-02 15:04:05" (UTC).
func parseOsmAndTime(v string) (time.Time, error) {
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
