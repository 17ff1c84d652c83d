package dispatch

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"cc112"
	"cc112/internal/clocktest"
	"cc112/internal/pgtest"
	"cc112/postgres"
)

// pgPair is a leader and a hot standby on one PostgreSQL journal, each with
// its own pool, as two dispatchd processes have.
type pgPair struct {
	leader, standby *Engine
	leaderDB        *postgres.DB
	schema          string
	applied         *appliedAt
}

// pollOnly hides a journal's CommitWatcher: the standby polls, as before.
type pollOnly struct{ cc112.Journal }

func newPGPair(t testing.TB, poll bool) *pgPair {
	t.Helper()
	url := pgtest.URL(t)
	open := func() (*postgres.DB, *postgres.Journal) {
		db, err := postgres.Open(context.Background(), url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		j, err := postgres.NewJournal(context.Background(), db, postgres.JournalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = j.Close() })
		return db, j
	}
	clock := clocktest.New(t0)
	p := &pgPair{applied: &appliedAt{at: map[string]time.Time{}}}
	db, lj := open()
	p.leaderDB = db
	var err error
	if p.leader, err = New(context.Background(), Config{Journal: lj, Clock: clock}); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(context.Background(), "select current_schema()").Scan(&p.schema); err != nil {
		t.Fatal(err)
	}
	_, sj := open()
	var standbyJournal cc112.Journal = sj
	if poll {
		standbyJournal = pollOnly{sj}
	}
	if p.standby, err = New(context.Background(), Config{Journal: standbyJournal, Clock: clock}); err != nil {
		t.Fatal(err)
	}
	p.standby.SetStandby()
	p.standby.SetPublisher(p.applied)
	return p
}

// appliedAt records when the standby published each incident it applied.
type appliedAt struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (a *appliedAt) Publish(name string, data any) {
	if inc, ok := data.(*cc112.Incident); ok && name == cc112.LiveIncidentCreated {
		a.mu.Lock()
		a.at[inc.ID] = time.Now()
		a.mu.Unlock()
	}
}

func (a *appliedAt) when(id string) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.at[id]
	return at, ok
}

// follow runs the standby's Follow with a poll interval until the test ends.
func (p *pgPair) follow(t testing.TB, interval time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = p.standby.Follow(ctx, interval); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// waitFor waits until the standby applied incident id.
func (p *pgPair) waitFor(t testing.TB, id string, within time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		if at, ok := p.applied.when(id); ok {
			return at
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby has not applied %s after %v (at seq %d, leader %d)", id, within, p.standby.LastSeq(), p.leader.LastSeq())
		}
		time.Sleep(time.Millisecond)
	}
}

// TestStandbyFollowsByNotification: with a poll interval of an hour, the
// standby still applies each of the leader's commands well before its
// safety read (followSafety), because PostgreSQL notifies it of each
// commit. When its listening connection is killed, it listens again and
// misses nothing.
func TestStandbyFollowsByNotification(t *testing.T) {
	p := newPGPair(t, false)
	p.follow(t, time.Hour)
	soon := followSafety / 2
	create := func() string {
		inc, err := p.leader.CreateIncident(context.Background(), NewIncident{Category: cc112.CatFire, Location: ptr(center)}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return inc.ID
	}
	p.waitFor(t, create(), 10*time.Second) // may be before it listens
	for range 3 {
		p.waitFor(t, create(), soon)
	}
	// The listener's connection dies (a restart of PostgreSQL, a network
	// cut): commits made meanwhile reach the standby once it listens again.
	var killed int
	if err := p.leaderDB.Pool.QueryRow(context.Background(),
		"select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = $1",
		postgres.ListenerName(p.schema)).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d listeners (%v), want 1", killed, err)
	}
	ids := []string{create(), create()}
	for _, id := range ids {
		p.waitFor(t, id, soon)
	}
	p.waitFor(t, create(), soon)
	if p.standby.LastSeq() != p.leader.LastSeq() {
		t.Fatalf("standby at %d, leader at %d", p.standby.LastSeq(), p.leader.LastSeq())
	}
}

// BenchmarkStandbyLag drives the leader at 100 commands a second and
// reports how long after a command was acknowledged the standby applied
// it (p50, p99, max): following by notification (with dispatchd's 100 ms
// poll as the fallback), and by that poll alone. Run with -benchtime=1000x.
func BenchmarkStandbyLag(b *testing.B) {
	b.Run("notify", func(b *testing.B) { standbyLag(b, false) })
	b.Run("poll", func(b *testing.B) { standbyLag(b, true) })
}

func standbyLag(b *testing.B, poll bool) {
	p := newPGPair(b, poll)
	p.follow(b, 100*time.Millisecond)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	type sent struct {
		id string
		at time.Time
	}
	var all []sent
	b.ResetTimer()
	for range b.N {
		<-tick.C
		inc, err := p.leader.CreateIncident(context.Background(), NewIncident{Category: cc112.CatFire, Location: ptr(center)}, "", "")
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, sent{inc.ID, time.Now()})
	}
	lags := make([]time.Duration, 0, len(all))
	for _, s := range all {
		lags = append(lags, max(0, p.waitFor(b, s.id, 10*time.Second).Sub(s.at)))
	}
	b.StopTimer()
	slices.Sort(lags)
	rank := func(q float64) time.Duration { return lags[int(q*float64(len(lags)-1))] }
	b.ReportMetric(float64(rank(0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(rank(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lags[len(lags)-1].Microseconds())/1000, "max-ms")
}
