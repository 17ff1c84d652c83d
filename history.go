package cc112

import (
	"context"
	"time"
)

// HistorySearch finds pages of incident history in a store that indexes
// it (PostgreSQL's projection), so that a search over years of incidents
// does not walk them in memory. The engine asks it for the page's keys and
// answers with its own incidents, as the viewer sees them.
type HistorySearch interface {
	FindIncidents(ctx context.Context, f HistoryFilter) ([]HistoryKey, error)
}

// HistoryFilter is one page of the history, newest first: received_at
// descending, then id descending in byte order. Zero fields do not filter.
type HistoryFilter struct {
	Closed   bool // closed incidents only; else every status
	Category Category
	Agency   string // an agency of a unit that worked the incident, any case
	District string // any case
	Priority int
	From, To time.Time // received_at in [From, To)
	// Text, lower-cased, is looked for in the number, address, description
	// and notes every viewer reads; in the caller's phone (also as dialled
	// at home) when Phone; in the internal notes when Internal.
	Text            string
	Phone, Internal bool
	// Unit limits the page to the incidents that unit works now (a unit's
	// view).
	Unit string
	// After is the key of the last incident of the previous page.
	After *HistoryKey
	Limit int
}

// HistoryKey is an incident's place in the history's order.
type HistoryKey struct {
	ReceivedAt time.Time
	ID         string
}

// IncidentArchive holds the incidents the engine archived (closed longer
// than the history window): the journal writes each document in the
// transaction that stores its incident.archived event and drops it in the
// one that stores incident.restored, so the archive always matches the
// journal.
type IncidentArchive interface {
	// ArchivedIncident is the archived document of id; nil when id is
	// not archived.
	ArchivedIncident(ctx context.Context, id string) (*Incident, error)
	// ArchivedIncidents is the archived documents of ids, in no order;
	// ids not archived are left out (one read for a page of history).
	ArchivedIncidents(ctx context.Context, ids []string) ([]*Incident, error)
	// EachArchived calls fn with the archived incidents newest first
	// (received_at, then id, descending) whose key is before *before (all
	// when nil), until fn returns false.
	EachArchived(ctx context.Context, before *HistoryKey, fn func(*Incident) bool) error
}

// ArchiveText is a text search of the archive: Text (lower-cased) is
// looked for in what every viewer sees of an archived incident, in its
// caller's phone when Phone, in its internal notes when Internal (see
// SearchText); the walk stops below From (zero: at the oldest).
type ArchiveText struct {
	Text            string
	Phone, Internal bool
	From            time.Time
}

// ArchiveTextSearch is an IncidentArchive that keeps each document's
// SearchText beside it (the embedded journal's), so that a text search
// reads the compact text of every archived incident and decodes only the
// documents it finds.
type ArchiveTextSearch interface {
	// EachArchivedText is EachArchived over the documents whose text
	// holds q.Text in a part q allows. The caller still checks what it
	// is given (the viewer's own rules decide).
	EachArchivedText(ctx context.Context, before *HistoryKey, q ArchiveText, fn func(*Incident) bool) error
}
