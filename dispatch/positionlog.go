package dispatch

import (
	"time"

	"cc112"
	"cc112/geo"
)

// loggedFix is what the journal holds of a unit's position: the last
// sample (positions are a stream, journaled at most every PositionSample)
// or its registration. Memory runs ahead of it between samples; a
// checkpoint stores this, so that a start from it equals a full replay.
type loggedFix struct {
	At  time.Time       `json:"at"` // when the last sample was journaled (zero: none yet)
	Pos journalPosition `json:"pos"`
}

// journalPosition is a unit's position fields as an event set them.
type journalPosition struct {
	Location   geo.Point `json:"location"`
	PositionAt time.Time `json:"position_at"`
	Heading    *float64  `json:"heading,omitempty"`
	Speed      *float64  `json:"speed,omitempty"`
	Accuracy   *float64  `json:"accuracy,omitempty"`
}

func journaledPosition(at time.Time, p cc112.UnitMovedPayload) journalPosition {
	return journalPosition{Location: p.Location, PositionAt: at, Heading: p.Heading, Speed: p.Speed, Accuracy: p.Accuracy}
}

// logRegistered records a registration's position as the journal's,
// keeping when the last sample was journaled (the sampling rate).
func (e *Engine) logRegistered(u *cc112.Unit) {
	lf := e.posLogged[u.ID]
	lf.Pos = journalPosition{Location: u.Location, PositionAt: u.PositionAt, Heading: u.Heading, Speed: u.Speed, Accuracy: u.Accuracy}
	e.posLogged[u.ID] = lf
}

// asJournaled is a copy of u with the journal's position: what a replay
// gives.
func (e *Engine) asJournaled(u *cc112.Unit) *cc112.Unit {
	c := *u
	lf, ok := e.posLogged[u.ID]
	if !ok {
		return &c
	}
	c.Location, c.PositionAt, c.Heading, c.Speed, c.Accuracy = lf.Pos.Location, lf.Pos.PositionAt, lf.Pos.Heading, lf.Pos.Speed, lf.Pos.Accuracy
	return &c
}
