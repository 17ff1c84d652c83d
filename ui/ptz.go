package ui

import (
	"context"
	"errors"
	"net/http"
	"time"

	"cc112"
	"cc112/cctv/onvif"
	"cc112/geo"
)

// ptzRequest is the body of POST /api/v1/cameras/{id}/ptz: exactly one of
// a move (pan, tilt, zoom speeds −1…1, for a second), stop, a preset
// token, or a place to point at.
type ptzRequest struct {
	Pan     *float64   `json:"pan"`
	Tilt    *float64   `json:"tilt"`
	Zoom    *float64   `json:"zoom"`
	Stop    bool       `json:"stop"`
	Preset  string     `json:"preset"`
	PointAt *geo.Point `json:"point_at"`
}

// ptzMoveFor is how long one move request turns the camera: a button held
// sends it again.
const ptzMoveFor = time.Second

// postPTZ turns a PTZ camera through ONVIF (dispatchers and supervisors;
// every request audited by the guard): {pan, tilt, zoom} | {stop: true} |
// {preset} | {point_at: {lat, lon}} (from the camera's position and
// heading). Answers {camera_id, done, pan?} or the camera's refusal (503).
func (s *Server) postPTZ(w http.ResponseWriter, r *http.Request) {
	var req ptzRequest
	s.command(w, r, http.StatusOK, &req, func(_, _ string) (any, error) {
		cam, c, err := s.ptzCamera(r)
		if err != nil {
			return nil, err
		}
		move := req.Pan != nil || req.Tilt != nil || req.Zoom != nil
		n := 0
		for _, given := range []bool{move, req.Stop, req.Preset != "", req.PointAt != nil} {
			if given {
				n++
			}
		}
		if n != 1 {
			return nil, cc112.Errorf(cc112.EInvalid, "give exactly one of {pan, tilt, zoom}, stop, preset or point_at")
		}
		for _, v := range []*float64{req.Pan, req.Tilt, req.Zoom} {
			if v != nil && !(*v >= -1 && *v <= 1) {
				return nil, cc112.Errorf(cc112.EInvalid, "pan, tilt and zoom are speeds from -1 to 1")
			}
		}
		if err := cc112.CheckText("preset", req.Preset, 64); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		out := struct {
			CameraID string   `json:"camera_id"`
			Done     string   `json:"done"`
			Pan      *float64 `json:"pan,omitempty"` // the absolute pan of point_at
		}{CameraID: cam.ID}
		switch {
		case move:
			out.Done, err = "move", c.ContinuousMove(ctx, onvif.Vector{Pan: req.Pan, Tilt: req.Tilt, Zoom: req.Zoom}, ptzMoveFor)
		case req.Stop:
			out.Done, err = "stop", c.Stop(ctx)
		case req.Preset != "":
			out.Done, err = "preset", c.GotoPreset(ctx, req.Preset)
		default:
			if err := cc112.CheckPoint(*req.PointAt); err != nil {
				return nil, err
			}
			if cam.Heading == nil {
				return nil, cc112.Errorf(cc112.EConflict, "camera %s has no heading: it cannot be pointed at a place", cam.Name)
			}
			pan, perr := onvif.PanToward(*cam.Heading, onvif.Bearing(cam.Location.Lat, cam.Location.Lon, req.PointAt.Lat, req.PointAt.Lon))
			if perr != nil {
				return nil, cc112.Errorf(cc112.EInvalid, "%v", perr)
			}
			out.Done, out.Pan, err = "point_at", &pan, c.AbsoluteMove(ctx, onvif.Vector{Pan: &pan})
		}
		if err != nil {
			return nil, cameraRefusal(cam, err)
		}
		return out, nil
	})
}

// ptzCamera is the {id} camera of a PTZ route and a client of its ONVIF
// service; a camera without one is a conflict.
func (s *Server) ptzCamera(r *http.Request) (cc112.Camera, *onvif.Client, error) {
	cam, err := s.eng.Camera(r.PathValue("id"))
	if err != nil {
		return cam, nil, err
	}
	if !cam.PTZ {
		return cam, nil, cc112.Errorf(cc112.EConflict, "camera %s has no PTZ service (onvif_url)", cam.Name)
	}
	c, err := onvif.FromURL(cam.ONVIFURL, cam.ONVIFProfile)
	if err != nil {
		return cam, nil, cc112.Errorf(cc112.EConflict, "camera %s: %v", cam.Name, err)
	}
	return cam, c, nil
}

// cameraRefusal is an ONVIF call's failure as the API says it: the
// camera's fault, or silence (never its address or credentials).
func cameraRefusal(cam cc112.Camera, err error) error {
	var fault *onvif.Fault
	if errors.As(err, &fault) {
		return cc112.Errorf(cc112.EUnavailable, "camera %s refused: %s %s", cam.Name, fault.Code, fault.Message)
	}
	return cc112.Errorf(cc112.EUnavailable, "camera %s did not answer", cam.Name)
}

// maxPresets bounds the presets list: ONVIF cameras store a fixed number
// (commonly 128 to 256); more is a broken answer, cut.
const maxPresets = 256

// getPTZPresets answers GET /api/v1/cameras/{id}/ptz/presets: the
// positions the camera stores (ONVIF GetPresets), {camera_id, items:
// [{token, name}]}, at most maxPresets.
func (s *Server) getPTZPresets(w http.ResponseWriter, r *http.Request) {
	cam, c, err := s.ptzCamera(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	ps, err := c.GetPresets(ctx)
	if err != nil {
		s.writeError(w, r, cameraRefusal(cam, err))
		return
	}
	writeJSON(w, http.StatusOK, struct {
		CameraID string         `json:"camera_id"`
		Items    []onvif.Preset `json:"items"`
	}{cam.ID, ps[:min(len(ps), maxPresets)]})
}
