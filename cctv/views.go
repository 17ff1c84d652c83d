package cctv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"cc112"
	"cc112/dispatch"
)

// View is one live view of a camera, for the audit.
type View struct {
	ID         string     `json:"id"`
	CameraID   string     `json:"camera_id"`
	StartedAt  time.Time  `json:"started_at"`
	EndedAt    *time.Time `json:"ended_at"`
	Client     string     `json:"client"`         // address of the viewer
	User       string     `json:"user"`           // the viewer's account; "anonymous" with access control off
	Role       string     `json:"role,omitempty"` // the account's role
	IncidentID string     `json:"incident_id,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	// ReplayAt is set on a replay of the recording: the time asked for.
	ReplayAt *time.Time `json:"replay_at,omitempty"`
}

type viewEnded struct {
	ID string `json:"id"`
}

// Limits on free text in a view.
const (
	maxReason = 500
	maxRef    = 100
)

// Views is the engine extension that records camera views. Its state is
// changed only by its apply functions, under the engine's write lock, and read
// under eng.Read.
type Views struct {
	eng  *dispatch.Engine
	list []*View // by start
	byID map[string]*View
}

// NewViews returns an empty audit; pass it to dispatch.New, which
// registers it.
func NewViews() *Views { return &Views{byID: map[string]*View{}} }

// Register adds the audit's event types to the engine and keeps the engine
// for its commands.
func (vs *Views) Register(r *dispatch.Registry) {
	vs.eng = r.Engine()
	dispatch.Handle(r, cc112.EvViewStarted, func(_ *dispatch.Fold, v View) error {
		if _, dup := vs.byID[v.ID]; dup {
			return fmt.Errorf("view %q exists", v.ID)
		}
		vs.list = append(vs.list, &v)
		vs.byID[v.ID] = &v
		return nil
	})
	dispatch.Handle(r, cc112.EvViewEnded, func(f *dispatch.Fold, p viewEnded) error {
		v, ok := vs.byID[p.ID]
		if !ok {
			return fmt.Errorf("unknown view %q", p.ID)
		}
		at := f.At
		v.EndedAt = &at
		return nil
	})
}

// Start records the start of a view (durably) and returns it with its id
// and time. The camera must exist.
func (vs *Views) Start(ctx context.Context, v View) (View, error) {
	if _, err := vs.eng.Camera(v.CameraID); err != nil {
		return View{}, err
	}
	v.Reason = strings.TrimSpace(v.Reason)
	v.IncidentID = strings.TrimSpace(v.IncidentID)
	if utf8.RuneCountInString(v.Reason) > maxReason || len(v.IncidentID) > maxRef || len(v.User) > maxRef || len(v.Client) > maxRef {
		return View{}, cc112.Errorf(cc112.EInvalid, "reason is limited to %d characters, incident, user and client to %d", maxReason, maxRef)
	}
	if v.User == "" {
		v.User = "anonymous"
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	v.ID = "view-" + hex.EncodeToString(b[:])
	v.EndedAt = nil
	_, err := dispatch.Run(ctx, vs.eng, "", "", func(tx *dispatch.Tx) (any, error) {
		v.StartedAt = tx.Now()
		tx.Emit(cc112.EvViewStarted, v)
		return nil, nil
	})
	return v, err
}

// End records the end of a view; ending it twice changes nothing.
func (vs *Views) End(ctx context.Context, id string) error {
	_, err := dispatch.Run(ctx, vs.eng, "", "", func(tx *dispatch.Tx) (any, error) {
		v, ok := vs.byID[id]
		if !ok {
			return nil, cc112.Errorf(cc112.ENotFound, "view %q not found", id)
		}
		if v.EndedAt == nil {
			tx.Emit(cc112.EvViewEnded, viewEnded{ID: id})
		}
		return nil, nil
	})
	return err
}

// ViewFilter selects views: by camera (empty for all) and by a time window
// that the view overlaps (zero times leave that side open).
type ViewFilter struct {
	CameraID string
	From, To time.Time
	cc112.PageRequest
}

// List pages through the matching views, newest first. A view whose end
// was never recorded (the server stopped during it) has a nil EndedAt.
func (vs *Views) List(f ViewFilter) (cc112.Page[View], error) {
	p, err := cc112.NewNewest(f.PageRequest, func(v View) cc112.PageKey { return cc112.PageKey{At: v.StartedAt, ID: v.ID} })
	if err != nil {
		return cc112.Page[View]{}, err
	}
	var page cc112.Page[View]
	vs.eng.Read(func() {
		for _, v := range vs.list {
			switch {
			case f.CameraID != "" && v.CameraID != f.CameraID,
				!f.To.IsZero() && v.StartedAt.After(f.To),
				!f.From.IsZero() && v.EndedAt != nil && v.EndedAt.Before(f.From):
				continue
			}
			p.Offer(*v)
		}
		page = p.Page(func(v View) View {
			if v.EndedAt != nil {
				at := *v.EndedAt
				v.EndedAt = &at
			}
			return v
		})
	})
	return page, nil
}
