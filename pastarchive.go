package cc112

import (
	"context"
	"time"
)

// ImportArchive finds the external ids of archived imported incidents (an
// imported incident's number is its external id): the engine keeps only
// those it holds, so that a re-import of an archived record is still
// refused (dispatch.ErrAlreadyImported). The journal keeps the index in
// the transactions of incident.archived and incident.restored.
type ImportArchive interface {
	// ArchivedImports maps each of externalIDs that names an archived
	// imported incident to that incident's id; the others are left out.
	ArchivedImports(ctx context.Context, externalIDs []string) (map[string]string, error)
}

// ShiftArchive holds the roster shifts the engine let go (roster.archived:
// ended longer than its history window ago), written in the transaction
// of the event. A unit's archived shifts all end before its shifts in
// memory begin, and never change again (a roster change keeps every shift
// begun before it).
type ShiftArchive interface {
	// ArchivedShiftsAt is, for each of units, its archived shift covering
	// t, if any, in no order.
	ArchivedShiftsAt(ctx context.Context, units []string, t time.Time) ([]Shift, error)
	// ArchivedShifts is up to limit of unit's archived shifts that end
	// after from and begin after *after (any when nil), earliest first.
	ArchivedShifts(ctx context.Context, unit string, from time.Time, after *time.Time, limit int) ([]Shift, error)
}
