package dispatch

import (
	"encoding/json"
	"strings"
	"testing"

	"cc112"
	"cc112/internal/clocktest"
)

// note is a test extension's payload; it counts how often JSON is decoded
// into it.
type note struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

var noteDecodes int

func (n *note) UnmarshalJSON(b []byte) error {
	noteDecodes++
	type plain note
	return json.Unmarshal(b, (*plain)(n))
}

// notes is a test extension: it keeps notes and tells the live feed about
// each, counting how often it is asked for a note's current state.
type notes struct {
	eng     *Engine
	byID    map[string]*note
	applied []uint64 // seqs, in order
	asked   int      // how often the live feed asked for a note
}

const evNote = "test.note"

func (ns *notes) Register(r *Registry) {
	ns.eng = r.Engine()
	ns.byID = map[string]*note{}
	Handle(r, evNote, func(f *Fold, n note) error {
		ns.byID[n.ID] = &n
		ns.applied = append(ns.applied, f.Seq)
		f.Changed("note.updated", func() any { ns.asked++; c := *ns.byID[n.ID]; return c })
		return nil
	})
}

func (ns *notes) add(t *testing.T, id, text string) note {
	t.Helper()
	return must[note](t)(Run(bg, ns.eng, "", "", func(tx *Tx) (note, error) {
		tx.Emit(evNote, note{ID: id, Text: text})
		return *ns.byID[id], nil
	}))
}

// A command's event is applied as the value it emitted: its JSON is made
// for the journal only. Replay decodes it, once per event.
func TestTypedApplyDecodesOnlyFromTheJournal(t *testing.T) {
	j, clock, pub := &memJournal{}, clocktest.New(t0), &recorder{}
	ns := &notes{}
	eng := must[*Engine](t)(New(bg, Config{Journal: j, Clock: clock}, ns))
	eng.SetPublisher(pub)
	noteDecodes = 0
	got := ns.add(t, "n1", "first")
	ns.add(t, "n2", "second")
	if got.Text != "first" || noteDecodes != 0 {
		t.Fatalf("command applied %+v with %d decodes, want the emitted note and none", got, noteDecodes)
	}
	if strings.Join(pub.names, ",") != "note.updated,note.updated" || ns.asked != 2 {
		t.Fatalf("published %v (asked %d), want two note.updated", pub.names, ns.asked)
	}

	again := &notes{}
	pub = &recorder{}
	eng = must[*Engine](t)(New(bg, Config{Journal: j, Clock: clock}, again))
	eng.SetPublisher(pub)
	if noteDecodes != 2 || len(again.byID) != 2 || again.byID["n2"].Text != "second" {
		t.Fatalf("replay: %d decodes, notes %v", noteDecodes, again.byID)
	}
	if len(pub.names) != 0 || again.asked != 0 {
		t.Fatalf("replay published %v (asked %d): nothing is published on replay", pub.names, again.asked)
	}
	if want := ns.applied; len(again.applied) != len(want) || again.applied[0] != want[0] || again.applied[1] != want[1] {
		t.Fatalf("replay applied seqs %v, the command %v", again.applied, want)
	}
}

// A standby decodes the leader's events and publishes them like its own.
func TestStandbyAppliesExtensionEvents(t *testing.T) {
	j, clock := &memJournal{}, clocktest.New(t0)
	leader := &notes{}
	must[*Engine](t)(New(bg, Config{Journal: j, Clock: clock}, leader))
	follower := &notes{}
	standby := must[*Engine](t)(New(bg, Config{Journal: j, Clock: clock}, follower))
	pub := &recorder{}
	standby.SetPublisher(pub)
	standby.SetStandby()
	leader.add(t, "n1", "from the leader")
	if n := must[int](t)(standby.CatchUp(bg)); n != 1 {
		t.Fatalf("caught up %d events, want 1", n)
	}
	if follower.byID["n1"] == nil || strings.Join(pub.names, ",") != "note.updated" {
		t.Fatalf("standby holds %v and published %v", follower.byID, pub.names)
	}
}

// clash claims an event type someone else has.
type clash struct{ typ string }

func (c clash) Register(r *Registry) {
	Handle(r, c.typ, func(*Fold, struct{}) error { return nil })
}

func TestTwoClaimsOnOneEventTypeFail(t *testing.T) {
	for _, tc := range []struct {
		name string
		exts []Extension
	}{
		{"two extensions", []Extension{&notes{}, clash{evNote}}},
		{"an extension and the core", []Extension{clash{cc112.EvIncidentCreated}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(bg, Config{Journal: &memJournal{}}, tc.exts...)
			if err == nil || !strings.Contains(err.Error(), "claimed by") {
				t.Fatalf("New = %v, want an event type claimed twice", err)
			}
		})
	}
}

// The engine's modes change only along the allowed transitions.
func TestModeTransitions(t *testing.T) {
	eng := must[*Engine](t)(New(bg, Config{Journal: &memJournal{}}))
	if eng.mode != writer {
		t.Fatalf("after New the engine is %s, want writer", eng.mode)
	}
	for _, to := range []mode{replaying, following} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("writer became %s", to)
				}
			}()
			eng.enter(to)
		}()
	}
	eng.fail(errFake("disk gone"))
	if eng.mode != failed || eng.Standby() {
		t.Fatalf("after a failed write the engine is %s", eng.mode)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("a failed engine became a writer again")
		}
	}()
	eng.enter(writer)
}

type errFake string

func (e errFake) Error() string { return string(e) }

// A camera applied as the value its command built holds what the journal's
// JSON would: its RTSP URLs in the record only, never in the camera that
// lists, the live feed and the near-camera search hand out.
func TestTypedCameraKeepsItsURLsInTheRecord(t *testing.T) {
	f := newFixture(t)
	url := "rtsp://u:p@127.0.0.1/x"
	if err := f.eng.RegisterCameras(bg, []cc112.Camera{{ID: "c1", Name: "Tugu", Location: center, RTSPURL: url}}); err != nil {
		t.Fatal(err)
	}
	for _, eng := range []*Engine{f.eng, f.reopen(t)} {
		if got := eng.Cameras()[0].RTSPURL; got != "" {
			t.Errorf("Cameras() holds the RTSP URL %q", got)
		}
		if got := eng.NearestCameras(center, 1, nil)[0].RTSPURL; got != "" {
			t.Errorf("NearestCameras holds the RTSP URL %q", got)
		}
		if got := must[cc112.Camera](t)(eng.Camera("c1")).RTSPURL; got != url {
			t.Errorf("Camera(id) = %q, want the URL", got)
		}
	}
}

// Text that is not UTF-8 becomes U+FFFD in the journal's JSON. A command
// applies what replay will, so that memory and a restart agree.
func TestTypedApplyAgreesWithTheJournalOnInvalidUTF8(t *testing.T) {
	j, clock := &memJournal{}, clocktest.New(t0)
	ns := &notes{}
	must[*Engine](t)(New(bg, Config{Journal: j, Clock: clock}, ns))
	got := ns.add(t, "n1", "api\xff")
	again := &notes{}
	must[*Engine](t)(New(bg, Config{Journal: j, Clock: clock}, again))
	if want := again.byID["n1"].Text; got.Text != want || want != "api\uFFFD" {
		t.Fatalf("the command applied %q, replay %q", got.Text, want)
	}
}

func TestReplacedText(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"plain", false},
		{"a real \uFFFD", false},
		{`typed \ufffd as text`, false},
		{`\\` + "\xff", true},
		{"bad \xff byte", true},
	} {
		raw, err := json.Marshal(note{Text: tc.text})
		if err != nil {
			t.Fatal(err)
		}
		if got := replacedText(raw); got != tc.want {
			t.Errorf("replacedText(%s) = %v, want %v", raw, got, tc.want)
		}
	}
}
