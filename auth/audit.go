package auth

import (
	"context"
	"math"
	"sort"
	"strconv"
	"time"

	"cc112"
	"cc112/dispatch"
)

// Audit actions. HTTP mutations are ActionRequest with their method, path
// and status; the others are recorded by the code that knows them.
const (
	ActionLogin       = "login"
	ActionLoginFailed = "login_failed"
	ActionLogout      = "logout"
	ActionRequest     = "request"
	ActionCameraView  = "camera_view"
	// ActionEvidenceDownload is an evidence export's file or manifest
	// downloaded (Target is the export's id, Path says which).
	ActionEvidenceDownload = "evidence_download"
	ActionUserSaved        = "user_saved"
	ActionDeviceSaved      = "device_saved"
	// ActionSessionsRevoked is an admin ending every session of a user
	// (a wall taken down) without changing its password.
	ActionSessionsRevoked = "sessions_revoked"
	// ActionLoginSpray alerts the admin: one address failed at many
	// users, or one user failed from many addresses (Addr or Target says
	// which), within the login limiter's window.
	ActionLoginSpray = "login_spray"
)

// Entry is one audit record. It never holds a body, a token or a password.
type Entry struct {
	Seq    uint64    `json:"seq"` // the journal's seq, set on apply
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	User   string    `json:"user,omitempty"`
	Role   Role      `json:"role,omitempty"`
	Addr   string    `json:"addr,omitempty"`
	Method string    `json:"method,omitempty"`
	Path   string    `json:"path,omitempty"`
	Route  string    `json:"route,omitempty"` // the route pattern, e.g. POST /api/v1/incidents/{id}/close
	Status int       `json:"status,omitempty"`
	Target string    `json:"target,omitempty"` // a camera id, a username, a device id
}

// AuditFilter selects entries for GET /api/v1/audit. Zero fields match all.
type AuditFilter struct {
	User   string
	Action string
	From   time.Time
	To     time.Time
	cc112.PageRequest
}

// Audit pages through matching entries, newest first (by journal seq: the
// cursor is the last entry's). It first waits until every entry recorded
// before the call is durable and applied, so a reader sees its own actions.
func (s *Store) Audit(ctx context.Context, f AuditFilter) (cc112.Page[Entry], error) {
	if err := f.Check(); err != nil {
		return cc112.Page[Entry]{}, err
	}
	before := uint64(math.MaxUint64)
	if f.Cursor != "" {
		n, err := strconv.ParseUint(f.Cursor, 10, 64)
		if err != nil {
			return cc112.Page[Entry]{}, cc112.ErrBadCursor()
		}
		before = n
	}
	if err := s.rec.flush(ctx); err != nil {
		return cc112.Page[Entry]{}, err
	}
	page := cc112.Page[Entry]{Items: []Entry{}}
	s.eng.Read(func() {
		log := s.st.audit // in seq order
		k := sort.Search(len(log), func(k int) bool { return log[k].Seq >= before }) - 1
		for ; k >= 0; k-- {
			e := log[k]
			switch {
			case f.User != "" && e.User != f.User,
				f.Action != "" && e.Action != f.Action,
				!f.From.IsZero() && e.At.Before(f.From),
				!f.To.IsZero() && !e.At.Before(f.To):
				continue
			}
			if len(page.Items) == f.Limit {
				page.NextCursor = strconv.FormatUint(page.Items[f.Limit-1].Seq, 10)
				return
			}
			page.Items = append(page.Items, e)
		}
	})
	return page, nil
}

// Record queues an audit entry (an HTTP mutation, a camera view). Entries
// are journaled in batches by one writer, so auditing a command shares the
// command's group commit instead of adding an fsync of its own; when the
// queue is full, Record waits (backpressure, never loss).
func (s *Store) Record(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = s.eng.Clock().Now().UTC()
	}
	return s.rec.add(ctx, e)
}

// recorder batches audit entries into engine commands.
type recorder struct {
	eng   *dispatch.Engine
	queue chan recItem
	stop  chan struct{}
	done  chan struct{}
}

// recItem is an entry, or (flush != nil) a request to signal once every
// earlier entry is durable.
type recItem struct {
	entry Entry
	flush chan error
}

const (
	recQueue  = 4096
	recLinger = 5 * time.Millisecond
)

func newRecorder(eng *dispatch.Engine) *recorder {
	r := &recorder{eng: eng, queue: make(chan recItem, recQueue), stop: make(chan struct{}), done: make(chan struct{})}
	go r.run()
	return r
}

func (r *recorder) add(ctx context.Context, e Entry) error {
	select {
	case <-r.stop:
		return cc112.Errorf(cc112.EUnavailable, "audit log closed")
	default:
	}
	select {
	case r.queue <- recItem{entry: e}:
		return nil
	case <-r.stop:
		return cc112.Errorf(cc112.EUnavailable, "audit log closed")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *recorder) flush(ctx context.Context) error {
	ch := make(chan error, 1)
	select {
	case r.queue <- recItem{flush: ch}:
	case <-r.stop:
		return nil // closed: everything was flushed on close
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run takes whatever is queued, journals it as one command, waits for it
// to be durable, and repeats: while one batch is being fsynced the next one
// gathers.
func (r *recorder) run() {
	defer close(r.done)
	for {
		var first recItem
		select {
		case first = <-r.queue:
		case <-r.stop:
			r.drain()
			return
		}
		if first.flush == nil {
			// Linger briefly: the command that caused this entry has just
			// been fsynced, and the client's next command usually arrives
			// within the linger; the entry then rides along in that
			// command's group commit instead of forcing an fsync between.
			select {
			case <-time.After(recLinger):
			case <-r.stop:
			}
		}
		r.write(r.gather(first))
	}
}

func (r *recorder) gather(first recItem) []recItem {
	batch := []recItem{first}
	for len(batch) < 512 {
		select {
		case it := <-r.queue:
			batch = append(batch, it)
		default:
			return batch
		}
	}
	return batch
}

func (r *recorder) write(batch []recItem) {
	var entries []Entry
	for _, it := range batch {
		if it.flush == nil {
			entries = append(entries, it.entry)
		}
	}
	var err error
	if len(entries) > 0 {
		_, err = dispatch.Run(context.Background(), r.eng, "", "", func(tx *dispatch.Tx) (any, error) {
			for _, e := range entries {
				tx.Emit(cc112.EvAuditRecorded, e)
			}
			return nil, nil
		})
	}
	for _, it := range batch {
		if it.flush != nil {
			it.flush <- err
		}
	}
}

func (r *recorder) drain() {
	var rest []recItem
	for {
		select {
		case it := <-r.queue:
			rest = append(rest, it)
		default:
			if len(rest) > 0 {
				r.write(rest)
			}
			return
		}
	}
}

func (r *recorder) close() {
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	<-r.done
}
