package ui

import (
	"encoding/base64"
	"net/http"
	"os"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/cctv"
	"cc112/cctv/record"
)

// cameraRecordings answers GET /api/v1/cameras/{id}/recordings?from=&to=
// &limit=&cursor=: what is recorded of the camera, one page of the
// segments overlapping the range (both ends optional) oldest first, as a
// timeline reads them, whether it is marked "always record" and whether
// each segment is being recorded now.
func (s *Server) cameraRecordings(w http.ResponseWriter, r *http.Request) {
	id, ok := s.recordedCamera(w, r)
	if !ok {
		return
	}
	from, to, err := timeRange(r, false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req, err := pageParams(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// The cursor is the last segment's start (segments of a camera start
	// at distinct times), for this camera only.
	after, err := cc112.ParseCursor(req.Cursor)
	if err == nil && after != nil && after.ID != id {
		err = cc112.ErrBadCursor()
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var since time.Time
	if after != nil {
		since = after.At
	}
	segs, more := s.recorded.ListAfter(id, from, to, since, req.Limit)
	page := cc112.Page[record.Segment]{Items: segs}
	if more {
		page.NextCursor = cc112.PageKey{At: segs[len(segs)-1].Start, ID: id}.Cursor()
	}
	writeJSON(w, http.StatusOK, struct {
		CameraID     string `json:"camera_id"`
		AlwaysRecord bool   `json:"always_record"`
		cc112.Page[record.Segment]
	}{id, s.recordings.IsAlways(id), page})
}

// recordedCamera is the {id} of a recordings route, once the recordings
// are on and the camera exists (else answered).
func (s *Server) recordedCamera(w http.ResponseWriter, r *http.Request) (string, bool) {
	if !s.recordingOn(w, r) {
		return "", false
	}
	id := r.PathValue("id")
	if _, err := s.eng.Camera(id); err != nil {
		s.writeError(w, r, err)
		return "", false
	}
	return id, true
}

// recordingOn answers 503 unless the server records (and audits views).
func (s *Server) recordingOn(w http.ResponseWriter, r *http.Request) bool {
	if s.recordingOff(w, r) {
		return false
	}
	if s.recorded == nil || s.views == nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "recording is off (start dispatchd with -record-dir and -record-budget)").Because(cc112.RRecordingOff))
		return false
	}
	return true
}

// timeRange reads ?from=&to= as RFC 3339 times; required asks for both.
func timeRange(r *http.Request, required bool) (from, to time.Time, err error) {
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		into *time.Time
	}{{"from", &from}, {"to", &to}} {
		v := q.Get(p.name)
		if v == "" {
			if required {
				return from, to, cc112.Errorf(cc112.EInvalid, "%s is required (an RFC 3339 time)", p.name)
			}
			continue
		}
		if *p.into, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, cc112.Errorf(cc112.EInvalid, "%s must be an RFC 3339 time", p.name)
		}
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return from, to, cc112.Errorf(cc112.EInvalid, "to is before from")
	}
	return from, to, nil
}

// postRecordAlways is a supervisor marking a camera "always record" or
// not: POST /api/v1/cameras/{id}/record {"always": true|false}.
func (s *Server) postRecordAlways(w http.ResponseWriter, r *http.Request) {
	if s.recordingOff(w, r) {
		return
	}
	var req struct {
		Always *bool `json:"always"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		if req.Always == nil {
			return nil, cc112.Errorf(cc112.EInvalid, `"always": true or false is required`)
		}
		id := r.PathValue("id")
		if err := s.recordings.SetAlways(r.Context(), id, *req.Always, userOf(r), key, fp); err != nil {
			return nil, err
		}
		return struct {
			CameraID     string `json:"camera_id"`
			AlwaysRecord bool   `json:"always_record"`
		}{id, *req.Always}, nil
	})
}

// incidentEvidence answers GET /api/v1/incidents/{id}/evidence: the
// incident's evidence lock (its cameras, from when, released or not; null
// before the recorder took one) and its exports' signed manifests.
func (s *Server) incidentEvidence(w http.ResponseWriter, r *http.Request) {
	if s.recordingOff(w, r) {
		return
	}
	id := r.PathValue("id")
	if _, err := s.eng.Incident(id); err != nil {
		s.writeError(w, r, err)
		return
	}
	var lock *cctv.EvidenceLock
	if l, err := s.recordings.LockOf(id); err == nil {
		lock = &l
	}
	writeJSON(w, http.StatusOK, struct {
		IncidentID string             `json:"incident_id"`
		Lock       *cctv.EvidenceLock `json:"lock"`
		Exports    []cctv.Manifest    `json:"exports"`
	}{id, lock, s.recordings.Exports(id)})
}

// postEvidence exports a camera's recording for an incident:
// POST /api/v1/incidents/{id}/evidence {camera, from, to, reason} → 201
// the signed manifest; the file is GET /api/v1/evidence/{id}/file. A
// reason or case number is required from everyone.
func (s *Server) postEvidence(w http.ResponseWriter, r *http.Request) {
	if !s.recordingOn(w, r) {
		return
	}
	var req struct {
		Camera string    `json:"camera"`
		From   time.Time `json:"from"`
		To     time.Time `json:"to"`
		Reason string    `json:"reason"`
	}
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		if err := cc112.CheckText("reason", req.Reason, 500); err != nil {
			return nil, err
		}
		er := cctv.ExportRequest{IncidentID: r.PathValue("id"), CameraID: req.Camera, From: req.From, To: req.To, User: userOf(r), Reason: req.Reason,
			Key: key, Fingerprint: fp}
		if p := PrincipalFrom(r.Context()); p != nil {
			er.Role = string(p.Role)
		}
		return s.recordings.Export(r.Context(), s.recorded, er)
	})
}

// evidenceFile serves an export's MP4: GET /api/v1/evidence/{id}/file.
func (s *Server) evidenceFile(w http.ResponseWriter, r *http.Request) {
	if !s.recordingOn(w, r) {
		return
	}
	m, err := s.recordings.ExportByID(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := os.Open(cctv.ExportPath(s.recorded, m.ID))
	if err != nil {
		s.writeError(w, r, cc112.Errorf(cc112.ENotFound, "the file of export %s is gone", m.ID))
		return
	}
	defer f.Close()
	s.auditRead(r, auth.ActionEvidenceDownload, m.ID)
	w.Header().Set("Content-Type", "video/mp4")
	w.Header().Set("Content-Disposition", `attachment; filename="`+m.ID+`.mp4"`)
	w.Header().Set("X-Content-SHA256", m.SHA256)
	http.ServeContent(w, r, m.ID+".mp4", m.ExportedAt, f)
}

// evidenceManifest serves an export's signed manifest as a file to keep
// with the MP4: GET /api/v1/evidence/{id}/manifest.
func (s *Server) evidenceManifest(w http.ResponseWriter, r *http.Request) {
	if s.recordingOff(w, r) {
		return
	}
	m, err := s.recordings.ExportByID(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.auditRead(r, auth.ActionEvidenceDownload, m.ID)
	w.Header().Set("Content-Disposition", `attachment; filename="`+m.ID+`.manifest.json"`)
	writeJSON(w, http.StatusOK, m)
}

// evidenceKey answers GET /api/v1/evidence/key: the public key that
// verifies export manifests.
func (s *Server) evidenceKey(w http.ResponseWriter, r *http.Request) {
	if s.recordingOff(w, r) {
		return
	}
	pub, err := s.recordings.EvidenceKey(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Algorithm string `json:"algorithm"`
		KeyID     string `json:"key_id"`
		PublicKey string `json:"public_key"` // base64
	}{"Ed25519", cctv.KeyID(pub), base64.StdEncoding.EncodeToString(pub)})
}

// postEvidenceRelease is a supervisor letting an incident's recordings go:
// POST /api/v1/incidents/{id}/evidence/release {"reason"}.
func (s *Server) postEvidenceRelease(w http.ResponseWriter, r *http.Request) {
	if s.recordingOff(w, r) {
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		return s.recordings.Release(r.Context(), r.PathValue("id"), userOf(r), req.Reason, key, fp)
	})
}

// userOf names the account of a request ("anonymous" with access control
// off, in handler tests).
func userOf(r *http.Request) string {
	if p := PrincipalFrom(r.Context()); p != nil {
		return p.Username
	}
	return "anonymous"
}

// recordingOff answers 503 when the server has no recording state (handler
// tests); dispatchd always has it.
func (s *Server) recordingOff(w http.ResponseWriter, r *http.Request) bool {
	if s.recordings == nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "recording is not enabled").Because(cc112.RRecordingOff))
		return true
	}
	return false
}
