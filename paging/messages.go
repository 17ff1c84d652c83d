package paging

import (
	"context"
	"slices"
	"strconv"

	"cc112"
	"cc112/dispatch"
)

// NewMessage is a POST /api/v1/messages: one of ToUnit, ToAgency,
// ToIncident from the center (none from a unit: its message goes to the
// center), and Text or Canned (a key of cc112.CannedMessages).
type NewMessage struct {
	ToUnit     string `json:"to_unit"`
	ToAgency   string `json:"to_agency"`
	ToIncident string `json:"to_incident"`
	Text       string `json:"text"`
	Canned     string `json:"canned"`
}

// Sender is who sends a message: a center user, or a unit's (FromUnit).
type Sender struct {
	Username string
	Role     string
	FromUnit string
}

// Send journals a message and returns it. The center names exactly one
// addressee; a unit names none. An agency's message reaches its units, an
// incident's the units working it now.
func (s *Service) Send(ctx context.Context, from Sender, n NewMessage, key, fingerprint string) (*cc112.Message, error) {
	text := n.Text
	if n.Canned != "" {
		canned, ok := cc112.CannedMessages[n.Canned]
		switch {
		case !ok:
			return nil, cc112.Errorf(cc112.EInvalid, "unknown canned message %q", n.Canned)
		case n.Text != "":
			return nil, cc112.Errorf(cc112.EInvalid, "give text or canned, not both")
		}
		text = canned
	}
	text, err := cc112.CheckMessage(text)
	if err != nil {
		return nil, err
	}
	to := 0
	for _, v := range []string{n.ToUnit, n.ToAgency, n.ToIncident} {
		if v != "" {
			to++
		}
	}
	switch {
	case from.FromUnit != "" && to > 0:
		return nil, cc112.Errorf(cc112.EInvalid, "a unit's message goes to the center: give no to_unit, to_agency or to_incident")
	case from.FromUnit == "" && to != 1:
		return nil, cc112.Errorf(cc112.EInvalid, "give exactly one of to_unit, to_agency, to_incident")
	}
	var incidents []string // an archived one is closed: nobody works it
	if n.ToIncident != "" {
		incidents = []string{n.ToIncident}
	}
	return dispatch.RunOn(ctx, s.eng, incidents, key, fingerprint, func(tx *dispatch.Tx) (*cc112.Message, error) {
		m := cc112.Message{ID: dispatch.NewID("msg"), At: tx.Now(), From: from.Username, FromRole: from.Role,
			FromUnit: from.FromUnit, ToUnit: n.ToUnit, ToAgency: n.ToAgency, ToIncident: n.ToIncident,
			Units: []string{}, Text: text, Canned: n.Canned}
		switch {
		case from.FromUnit != "":
			u, ok := tx.Unit(from.FromUnit)
			if !ok {
				return nil, cc112.Errorf(cc112.ENotFound, "unit %q not found", from.FromUnit)
			}
			m.ToIncident = u.IncidentID // the context the center reads it in
		case n.ToUnit != "":
			if _, ok := tx.Unit(n.ToUnit); !ok {
				return nil, cc112.Errorf(cc112.ENotFound, "unit %q not found", n.ToUnit)
			}
			m.Units = []string{n.ToUnit}
		case n.ToAgency != "":
			if m.Units = tx.AgencyUnits(n.ToAgency); len(m.Units) == 0 {
				return nil, cc112.Errorf(cc112.ENotFound, "agency %q has no units", n.ToAgency)
			}
		default:
			inc, ok := tx.Incident(n.ToIncident)
			if !ok {
				return nil, cc112.Errorf(cc112.ENotFound, "incident %q not found", n.ToIncident)
			}
			for _, a := range inc.Assignments {
				if a.Active() && !slices.Contains(m.Units, a.UnitID) {
					m.Units = append(m.Units, a.UnitID)
				}
			}
			if len(m.Units) == 0 {
				return nil, cc112.Errorf(cc112.EConflict, "incident %s has no units working it", inc.Number)
			}
		}
		tx.Emit(cc112.EvMessageSent, m)
		return &m, nil
	})
}

// Messages pages through the messages to or from unit (every message for
// ""), newest first; the cursor is a position in the list.
func (s *Service) Messages(unit string, req cc112.PageRequest) (cc112.Page[*cc112.Message], error) {
	if err := req.Check(); err != nil {
		return cc112.Page[*cc112.Message]{}, err
	}
	limit := req.Limit
	before := -1
	if req.Cursor != "" {
		n, err := strconv.Atoi(req.Cursor)
		if err != nil || n < 0 {
			return cc112.Page[*cc112.Message]{}, cc112.ErrBadCursor()
		}
		before = n
	}
	page := cc112.Page[*cc112.Message]{Items: []*cc112.Message{}}
	s.eng.Read(func() {
		k := len(s.messages) - 1
		if before >= 0 {
			k = min(k, before-1)
		}
		for ; k >= 0; k-- {
			m := s.messages[k]
			if unit != "" && !m.Reaches(unit) {
				continue
			}
			if len(page.Items) == limit {
				page.NextCursor = strconv.Itoa(k + 1)
				return
			}
			c := *m
			c.Units = slices.Clone(m.Units)
			page.Items = append(page.Items, &c)
		}
	})
	return page, nil
}
