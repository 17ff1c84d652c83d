package callcenter

import (
	"context"
	"sync"
	"testing"
	"time"

	"cc112"
	"cc112/bolt"
	"cc112/dispatch"
	"cc112/geo"
	"cc112/internal/clocktest"
)

// recorder keeps what the live feed got.
type recorder struct {
	mu     sync.Mutex
	events []published
}

type published struct {
	name string
	data any
}

func (r *recorder) Publish(name string, data any) {
	r.mu.Lock()
	r.events = append(r.events, published{name, data})
	r.mu.Unlock()
}

func (r *recorder) last(name string) any {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		if r.events[i].name == name {
			return r.events[i].data
		}
	}
	return nil
}

// smsSpy is a gateway that records messages and can fail on demand.
type smsSpy struct {
	mu   sync.Mutex
	sent []SMS
	fail error
}

func (g *smsSpy) Send(ctx context.Context, m SMS) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fail != nil {
		return g.fail
	}
	g.sent = append(g.sent, m)
	return nil
}

func (g *smsSpy) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.sent)
}

var (
	tugu = geo.Point{Lat: -7.2458, Lon: 112.7378}
	t0   = time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC) // 08:00 WIB
)

func near(p geo.Point, dNorthM, dEastM float64) geo.Point {
	return geo.Point{Lat: p.Lat + dNorthM/111_320, Lon: p.Lon + dEastM/110_440}
}

// fixture is an engine with the call center on a real bbolt journal.
type fixture struct {
	t     testing.TB
	dir   string
	clock *clocktest.Clock
	sms   *smsSpy
	cfg   Config
	j     *bolt.Journal
	eng   *dispatch.Engine
	svc   *Service
	pub   *recorder
}

func newFixture(t testing.TB, cfg Config) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), clock: clocktest.New(t0), sms: &smsSpy{}, cfg: cfg}
	if f.cfg.SMS == nil {
		f.cfg.SMS = f.sms
	}
	if f.cfg.MayorPhone == "" {
		f.cfg.MayorPhone = "+6281100000001"
	}
	f.open()
	t.Cleanup(func() { _ = f.j.Close() })
	return f
}

// open builds the journal, service and engine; reopen after a close is a
// restart on the same journal.
func (f *fixture) open() {
	f.t.Helper()
	var err error
	if f.j, err = bolt.Open(f.dir, nil); err != nil {
		f.t.Fatal(err)
	}
	f.svc = New(f.cfg)
	f.eng, err = dispatch.New(context.Background(), dispatch.Config{Journal: f.j, Clock: f.clock}, f.svc)
	if err != nil {
		f.t.Fatal(err)
	}
	f.pub = &recorder{}
	f.eng.SetPublisher(f.pub)
}

func (f *fixture) restart() {
	f.t.Helper()
	if err := f.j.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.open()
}

var ctx = context.Background()

func (f *fixture) call(phone string) *Call {
	f.t.Helper()
	c, err := f.svc.StartCall(ctx, NewCall{Phone: phone, Name: "Budi", NIK: "3578010101900001"}, "", "")
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) incident(cat cc112.Category, p geo.Point) *cc112.Incident {
	f.t.Helper()
	inc, err := f.eng.CreateIncident(ctx, dispatch.NewIncident{Category: cat, Location: &p}, "", "")
	if err != nil {
		f.t.Fatal(err)
	}
	return inc
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := cc112.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
