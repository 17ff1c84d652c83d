package ui

import (
	"net/http"

	"cc112"
	"cc112/auth"
	"cc112/paging"
)

// Paging's endpoints: the VAPID key, a unit's push subscription, its
// acknowledgement, and messages between the center and its units.

// pagingOff answers 503 when dispatchd runs without paging (unit tests of
// other parts).
func (s *Server) pagingOff(w http.ResponseWriter, r *http.Request) bool {
	if s.paging == nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "paging is not configured"))
		return true
	}
	return false
}

// getPushKey answers the VAPID public key a browser subscribes with.
func (s *Server) getPushKey(w http.ResponseWriter, r *http.Request) {
	if s.pagingOff(w, r) {
		return
	}
	k, err := s.paging.PublicKey()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"key": k})
}

// postMyPush keeps the unit user's browser PushSubscription.
func (s *Server) postMyPush(w http.ResponseWriter, r *http.Request) {
	if s.pagingOff(w, r) {
		return
	}
	var sub paging.Subscription
	s.command(w, r, http.StatusOK, &sub, func(key, fp string) (any, error) {
		p := PrincipalFrom(r.Context())
		if err := s.paging.Subscribe(r.Context(), p.UnitID, p.Username, sub, key, fp); err != nil {
			return nil, err
		}
		return map[string]bool{"subscribed": true}, nil
	})
}

// postMyAck is the crew's "Terima": its dispatch is seen.
func (s *Server) postMyAck(w http.ResponseWriter, r *http.Request) {
	s.command(w, r, http.StatusOK, nil, func(key, fp string) (any, error) {
		inc, err := s.eng.AcknowledgeAssignment(r.Context(), PrincipalFrom(r.Context()).UnitID, key, fp)
		if err != nil {
			return nil, err
		}
		return inc.For(s.viewer(r)), nil
	})
}

// postMessage sends a message: the center's to a unit, an agency or an
// incident's units; a unit's to the center.
func (s *Server) postMessage(w http.ResponseWriter, r *http.Request) {
	if s.pagingOff(w, r) {
		return
	}
	var req paging.NewMessage
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		p := PrincipalFrom(r.Context())
		from := paging.Sender{Username: p.Username, Role: string(p.Role)}
		if p.Role == auth.UnitRole {
			from.FromUnit = p.UnitID
		}
		return s.paging.Send(r.Context(), from, req, key, fp)
	})
}

// listMessages answers a page of messages, newest first: a unit's own
// (?unit= may only name it), or the center's of one unit or all.
func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	if s.pagingOff(w, r) {
		return
	}
	q := r.URL.Query()
	for k := range q {
		if k != "unit" && k != "cursor" && k != "limit" {
			s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "unknown parameter %q (unit, cursor, limit)", k))
			return
		}
	}
	unit := q.Get("unit")
	if p := PrincipalFrom(r.Context()); p != nil && p.Role == auth.UnitRole {
		if unit != "" && unit != p.UnitID {
			s.writeError(w, r, cc112.Errorf(cc112.EForbidden, "a unit reads its own messages only"))
			return
		}
		unit = p.UnitID
	}
	req, err := pageParams(q)
	var page cc112.Page[*cc112.Message]
	if err == nil {
		page, err = s.paging.Messages(unit, req)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// getHospitals lists where a transporting unit may take a patient: the
// city's points of interest that are hospitals (-poi), by name.
func (s *Server) getHospitals(w http.ResponseWriter, r *http.Request) {
	out := []cc112.Hospital{}
	for _, p := range s.places.Hospitals() {
		out = append(out, cc112.Hospital{Name: p.Name, Location: p.Location})
	}
	writeJSON(w, http.StatusOK, out)
}

// hospital finds a hospital of the city by its name.
func (s *Server) hospital(name string) (*cc112.Hospital, error) {
	for _, p := range s.places.Hospitals() {
		if p.Name == name {
			return &cc112.Hospital{Name: p.Name, Location: p.Location}, nil
		}
	}
	return nil, cc112.Errorf(cc112.EInvalid, "hospital %q is not one of the city's hospitals (GET /api/v1/hospitals)", name)
}
