package ui

import (
	"encoding/json"
	"mime"
	"net/http"
	"reflect"

	"cc112"
	"cc112/dispatch"
	"cc112/osmand"
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

// postOsmAnd takes positions from GPS trackers and the Traccar Client app
// in the OsmAnd protocol (package osmand reads them). A device
// authenticates with its secret; a unit user's token works too.
func (s *Server) postOsmAnd(w http.ResponseWriter, r *http.Request) {
	fix, err := s.readOsmAnd(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var unitID string
	if p := PrincipalFrom(r.Context()); p != nil {
		unitID = p.UnitID
	} else if unitID, err = s.auth.AuthenticateDevice(fix.Device, fix.Secret); err != nil {
		s.writeError(w, r, err)
		return
	}
	if fix.Stale(s.eng.Clock().Now()) {
		w.WriteHeader(http.StatusOK) // accepted, so the device drops it from its buffer
		return
	}
	pos := dispatch.Position{Lat: &fix.Lat, Lon: &fix.Lon, Speed: fix.Speed, Heading: fix.Heading, Accuracy: fix.Accuracy}
	if _, err := s.eng.UpdatePosition(r.Context(), unitID, pos); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// readOsmAnd decodes the request: Traccar Client's JSON body, or query and
// form parameters. A secret may also come as the X-Device-Key header.
func (s *Server) readOsmAnd(w http.ResponseWriter, r *http.Request) (osmand.Fix, error) {
	header := r.Header.Get("X-Device-Key")
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && mt == "application/json" {
		body, err := readBody(w, r)
		if err != nil {
			return osmand.Fix{}, err
		}
		if err := checkStrings(body); err != nil {
			return osmand.Fix{}, err
		}
		var b osmand.TraccarBody
		if err := json.Unmarshal(body, &b); err != nil { // lenient: the app sends many fields we ignore
			return osmand.Fix{}, cc112.Errorf(cc112.EInvalid, "invalid JSON body: %s", jsonProblem(err, body, reflect.TypeOf(&b)))
		}
		key := r.URL.Query().Get("key")
		if key == "" {
			key = header
		}
		return b.Fix(key)
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return osmand.Fix{}, cc112.Errorf(cc112.EInvalid, "could not read the parameters: %v", err)
	}
	return osmand.ParseParams(r.Form, header)
}
