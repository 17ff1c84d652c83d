package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"

	"cc112"
	"cc112/auth"
	"cc112/internal/testjournal"
)

// The move-up advice lists a relocation that covers kecamatan no free
// unit covers; one click sends it: journaled (a restart keeps it), the
// unit's own live feed hears its unit.updated with the post, and the next
// assignment ends it. On both journals.
func TestMoveUpSend(t *testing.T) {
	for name, open := range map[string]func(testing.TB) cc112.Journal{"bolt": testjournal.Bolt, "postgres": testjournal.Postgres} {
		t.Run(name, func(t *testing.T) {
			s := newSecuredOn(t, open(t))
			// The fire post at Kenjeran empties (both its engines out of
			// service): the advice moves another engine there.
			for _, u := range s.eng.Units() {
				if u.Station == "st-damkar-kenjeran" {
					s.want(s.as(auth.Dispatcher, "POST", "/api/v1/units/"+u.ID+"/service", `{"in_service":false,"reason":"Perawatan"}`), 200, "out of service")
				}
			}
			var list struct {
				Items []advice `json:"items"`
			}
			s.want(s.as(auth.Dispatcher, "GET", "/api/v1/moveups", ""), 200, "advice")
			s.as(auth.Dispatcher, "GET", "/api/v1/moveups", "").decode(t, &list)
			if len(list.Items) == 0 {
				t.Fatal("no move-up advised with the Kenjeran fire post empty")
			}
			// The unit user's own unit, so that its feed can be checked.
			i := slices.IndexFunc(list.Items, func(a advice) bool { return a.UnitID == s.unitID })
			if i < 0 {
				t.Fatalf("no advice for %s among %+v", s.unitID, list.Items)
			}
			a := list.Items[i]
			if len(a.Post.Covers) == 0 || a.Post.Name == "" {
				t.Fatalf("advice %+v names no post or no kecamatan it covers", a)
			}
			feed := s.dialLive(t, auth.UnitRole, "")
			feed.readTo(t, s.hub.Stats().Seq)
			r := s.as(auth.Dispatcher, "POST", "/api/v1/units/"+a.UnitID+"/relocate", `{"post_id":"`+a.Post.ID+`"}`)
			s.want(r, 200, "relocate")
			var u cc112.Unit
			r.decode(t, &u)
			if u.Post == nil || u.Post.ID != a.Post.ID || !slices.Equal(u.Post.Covers, a.Post.Covers) {
				t.Fatalf("relocated unit's post %+v, want %+v", u.Post, a.Post)
			}
			frames := feed.readTo(t, s.hub.Stats().Seq)
			if name, _ := json.Marshal(a.Post.Name); !feed.events[cc112.LiveUnitUpdated] || !bytes.Contains(frames, name) {
				t.Errorf("the unit's live feed did not hear its post %q: %s", a.Post.Name, frames)
			}
			// The advice no longer names the kecamatan it now covers.
			var after struct {
				Items []advice `json:"items"`
			}
			s.as(auth.Dispatcher, "GET", "/api/v1/moveups", "").decode(t, &after)
			for _, x := range after.Items {
				if x.Type == a.Type && slices.ContainsFunc(x.Post.Covers, func(k string) bool { return slices.Contains(a.Post.Covers, k) }) {
					t.Errorf("after the move, advice %+v still covers %v", x, a.Post.Covers)
				}
			}
			journaled := false
			_ = s.journal.Replay(context.Background(), 0, func(ev cc112.Event) error {
				journaled = journaled || ev.Type == cc112.EvUnitRelocated
				return nil
			})
			if !journaled {
				t.Error("no unit.relocated in the journal")
			}
			// Refused: an unknown post, a unit on an incident, a call-taker.
			s.want(s.as(auth.Dispatcher, "POST", "/api/v1/units/"+a.UnitID+"/relocate", `{"post_id":"st-nowhere"}`), 400, "unknown post")
			s.want(s.as(auth.Dispatcher, "POST", "/api/v1/units/"+a.UnitID+"/relocate", `{"post_id":"st-bpbd"}`), 400, "another agency's station")
			if a.Post.ID != "st-damkar-kenjeran" {
				t.Errorf("advice sends %s to %s, want the empty post at Kenjeran", a.UnitID, a.Post.ID)
			}
			s.want(s.as(auth.CallTaker, "POST", "/api/v1/units/"+a.UnitID+"/relocate", `{"post_id":"`+a.Post.ID+`"}`), 403, "call-taker")
			inc := s.newIncident(t)
			s.want(s.as(auth.Dispatcher, "POST", "/api/v1/incidents/"+inc+"/assignments", `{"unit_id":"`+a.UnitID+`"}`), 201, "assign")
			got, err := s.eng.Unit(a.UnitID)
			if err != nil || got.Post != nil {
				t.Errorf("after its assignment the unit still has post %+v (%v)", got.Post, err)
			}
			s.want(s.as(auth.Dispatcher, "POST", "/api/v1/units/"+a.UnitID+"/relocate", `{"post_id":"`+a.Post.ID+`"}`), 409, "busy unit")
		})
	}
}

// advice is one item of GET /api/v1/moveups as the test reads it.
type advice struct {
	UnitID string         `json:"unit_id"`
	Type   cc112.UnitType `json:"type"`
	Post   cc112.UnitPost `json:"post"`
}
