package cc112

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

// fakeStore is a flush function for the GroupCommitter's logic: all or
// nothing per flush, an event of type "bad" refused as unstorable, "down"
// as a failed journal. The first flush waits for release, so that the
// appends made meanwhile form one batch.
type fakeStore struct {
	mu      sync.Mutex
	written []string
	flushes int
	release chan struct{}
}

func (s *fakeStore) flush(batch []Event) error {
	s.mu.Lock()
	s.flushes++
	first := s.flushes == 1
	s.mu.Unlock()
	if first {
		<-s.release
	}
	for _, ev := range batch {
		switch ev.Type {
		case "bad":
			return fmt.Errorf("store: %w", ErrUnstorable)
		case "down":
			return errors.New("disk gone")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ev := range batch {
		s.written = append(s.written, fmt.Sprintf("%d %s", ev.Seq, ev.Type))
	}
	return nil
}

func TestGroupCommitFailsOnlyTheUnstorableCommand(t *testing.T) {
	s := &fakeStore{release: make(chan struct{})}
	g := NewGroupCommitter(s.flush, 0)
	defer g.Close()
	ev := func(seq uint64, typ string) []Event { return []Event{{Seq: seq, Type: typ}} }

	a := g.Append(ev(1, "ok"))
	b := g.Append([]Event{{Seq: 2, Type: "ok"}, {Seq: 3, Type: "ok"}})
	c := g.Append([]Event{{Seq: 4, Type: "ok"}, {Seq: 5, Type: "bad"}})
	d := g.Append(ev(6, "ok"))
	close(s.release)
	for name, ch := range map[string]<-chan error{"a": a, "b": b, "d": d} {
		if err := <-ch; err != nil {
			t.Errorf("command %s failed with its batch: %v", name, err)
		}
	}
	if err := <-c; !errors.Is(err, ErrUnstorable) {
		t.Fatalf("unstorable command: %v, want ErrUnstorable", err)
	}
	if err := <-g.Append(ev(7, "ok")); err != nil {
		t.Fatalf("the writer stopped after a refused command: %v", err)
	}
	want := "[1 ok 2 ok 3 ok 4 journal.refused 5 journal.refused 6 ok 7 ok]"
	if got := fmt.Sprint(s.written); got != want {
		t.Fatalf("written %s, want %s", got, want)
	}

	// A failed journal (not one command's content) fails everything after.
	if err := <-g.Append(ev(8, "down")); err == nil || errors.Is(err, ErrUnstorable) {
		t.Fatalf("failed journal: %v", err)
	}
	if err := <-g.Append(ev(9, "ok")); err == nil {
		t.Fatal("an append after the journal failed succeeded")
	}
}
