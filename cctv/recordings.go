package cctv

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"cc112"
	"cc112/dispatch"
)

// EvidenceLock keeps the recordings of an incident's cameras from PreRoll
// before the call until the incident closes, until a supervisor releases
// them.
type EvidenceLock struct {
	IncidentID string     `json:"incident_id"`
	Cameras    []string   `json:"cameras"`
	From       time.Time  `json:"from"`
	LockedAt   time.Time  `json:"locked_at"`
	ReleasedAt *time.Time `json:"released_at,omitempty"`
	ReleasedBy string     `json:"released_by,omitempty"`
	Reason     string     `json:"reason,omitempty"`
}

type recordAlways struct {
	CameraID string `json:"camera_id"`
	On       bool   `json:"on"`
	By       string `json:"by"`
}

type evidenceReleased struct {
	IncidentID string `json:"incident_id"`
	By         string `json:"by"`
	Reason     string `json:"reason"`
}

// Recordings is the engine extension that holds what recording must not
// forget: the cameras a supervisor marked "always record" and the evidence
// locks. Its state changes only in its apply functions, under the engine's
// write lock; it is read under eng.Read.
type Recordings struct {
	eng     *dispatch.Engine
	always  map[string]bool
	locks   map[string]*EvidenceLock // by incident
	key     ed25519.PrivateKey       // signs export manifests
	exports []*Manifest              // journal order
	keyed   keyedLocks               // exports in progress, by Idempotency-Key
}

// NewRecordings returns an empty state; pass it to dispatch.New.
func NewRecordings() *Recordings {
	return &Recordings{always: map[string]bool{}, locks: map[string]*EvidenceLock{}}
}

// Register adds the event types to the engine.
func (rs *Recordings) Register(r *dispatch.Registry) {
	rs.eng = r.Engine()
	rs.registerEvidence(r)
	dispatch.Handle(r, cc112.EvCameraRecordAlways, func(_ *dispatch.Fold, p recordAlways) error {
		if p.On {
			rs.always[p.CameraID] = true
		} else {
			delete(rs.always, p.CameraID)
		}
		return nil
	})
	dispatch.Handle(r, cc112.EvEvidenceLocked, func(f *dispatch.Fold, l EvidenceLock) error {
		if _, dup := rs.locks[l.IncidentID]; dup {
			return fmt.Errorf("incident %q is locked already", l.IncidentID)
		}
		l.LockedAt = f.At
		rs.locks[l.IncidentID] = &l
		return nil
	})
	dispatch.Handle(r, cc112.EvEvidenceReleased, func(f *dispatch.Fold, p evidenceReleased) error {
		l, ok := rs.locks[p.IncidentID]
		if !ok {
			return fmt.Errorf("incident %q has no evidence lock", p.IncidentID)
		}
		at := f.At
		l.ReleasedAt, l.ReleasedBy, l.Reason = &at, p.By, p.Reason
		return nil
	})
}

// SetAlways marks a camera "always record" (on) or not; by is the
// supervisor. Setting what is set journals nothing. key and fingerprint
// make a retry answer as the first (Idempotency-Key).
func (rs *Recordings) SetAlways(ctx context.Context, cameraID string, on bool, by, key, fingerprint string) error {
	if _, err := rs.eng.Camera(cameraID); err != nil {
		return err
	}
	_, err := dispatch.Run(ctx, rs.eng, key, fingerprint, func(tx *dispatch.Tx) (any, error) {
		if rs.always[cameraID] != on {
			tx.Emit(cc112.EvCameraRecordAlways, recordAlways{CameraID: cameraID, On: on, By: by})
		}
		return nil, nil
	})
	return err
}

// Always lists the cameras marked "always record", by id.
func (rs *Recordings) Always() []string {
	var out []string
	rs.eng.Read(func() {
		for id := range rs.always {
			out = append(out, id)
		}
	})
	sort.Strings(out)
	return out
}

// Lock takes an incident's evidence lock once; a second call changes
// nothing.
func (rs *Recordings) Lock(ctx context.Context, l EvidenceLock) error {
	_, err := dispatch.Run(ctx, rs.eng, "", "", func(tx *dispatch.Tx) (any, error) {
		if _, ok := rs.locks[l.IncidentID]; !ok {
			l.ReleasedAt, l.ReleasedBy, l.Reason = nil, "", ""
			tx.Emit(cc112.EvEvidenceLocked, l)
		}
		return nil, nil
	})
	return err
}

// Release lets an incident's recordings go (a supervisor, with a reason).
func (rs *Recordings) Release(ctx context.Context, incidentID, by, reason, key, fingerprint string) (EvidenceLock, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxReason {
		return EvidenceLock{}, cc112.Errorf(cc112.EInvalid, "a reason (at most %d characters) is required to release evidence", maxReason)
	}
	if err := cc112.CheckText("reason", reason, maxReason*4); err != nil {
		return EvidenceLock{}, err
	}
	return dispatch.Run(ctx, rs.eng, key, fingerprint, func(tx *dispatch.Tx) (EvidenceLock, error) {
		l, ok := rs.locks[incidentID]
		if !ok {
			return EvidenceLock{}, cc112.Errorf(cc112.ENotFound, "incident %q has no recordings under an evidence lock", incidentID)
		}
		if l.ReleasedAt != nil {
			return EvidenceLock{}, cc112.Errorf(cc112.EConflict, "the evidence of incident %q was released already", incidentID)
		}
		tx.Emit(cc112.EvEvidenceReleased, evidenceReleased{IncidentID: incidentID, By: by, Reason: reason})
		out := *l
		at := tx.Now()
		out.ReleasedAt, out.ReleasedBy, out.Reason = &at, by, reason
		return out, nil
	})
}

// LockOf is an incident's evidence lock.
func (rs *Recordings) LockOf(incidentID string) (EvidenceLock, error) {
	var out EvidenceLock
	found := false
	rs.eng.Read(func() {
		if l, ok := rs.locks[incidentID]; ok {
			out, found = *l, true
			out.Cameras = slices.Clone(l.Cameras)
		}
	})
	if !found {
		return out, cc112.Errorf(cc112.ENotFound, "incident %q has no evidence lock", incidentID)
	}
	return out, nil
}

// IsAlways reports whether a camera is marked "always record".
func (rs *Recordings) IsAlways(cameraID string) bool {
	var on bool
	rs.eng.Read(func() { on = rs.always[cameraID] })
	return on
}

// Locks lists the evidence locks, released ones included, by incident.
func (rs *Recordings) Locks() []EvidenceLock {
	var out []EvidenceLock
	rs.eng.Read(func() {
		for _, l := range rs.locks {
			c := *l
			c.Cameras = slices.Clone(l.Cameras)
			out = append(out, c)
		}
	})
	sort.Slice(out, func(a, b int) bool { return out[a].IncidentID < out[b].IncidentID })
	return out
}
