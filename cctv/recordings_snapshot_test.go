package cctv

import (
	"crypto/ed25519"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// A checkpoint of the recordings' state restores every mark, lock, export
// and the signing key; a later release does not write through the copy.
func TestRecordingsSnapshotRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 5, 16, 59, 59, 0, time.UTC)
	rs := NewRecordings()
	rs.always["cam-1"] = true
	rs.locks["SBY-1"] = &EvidenceLock{IncidentID: "SBY-1", Cameras: []string{"cam-1", "cam-2"}, From: at.Add(-10 * time.Minute), LockedAt: at}
	rs.key = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	rs.exports = []*Manifest{{ID: "ev-1", IncidentID: "SBY-1", CameraID: "cam-1", From: at, To: at.Add(time.Minute), Reason: "perkara 12"}}

	raw, err := json.Marshal(rs.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	released := at.Add(time.Hour)
	rs.locks["SBY-1"].ReleasedAt = &released // after the checkpoint: not in it

	back := NewRecordings()
	install, err := back.Restore(raw)
	if err != nil {
		t.Fatal(err)
	}
	install()
	if !reflect.DeepEqual(back.always, map[string]bool{"cam-1": true}) {
		t.Errorf("always %v", back.always)
	}
	l := back.locks["SBY-1"]
	if l == nil || l.ReleasedAt != nil || !reflect.DeepEqual(l.Cameras, []string{"cam-1", "cam-2"}) || !l.From.Equal(at.Add(-10*time.Minute)) {
		t.Errorf("lock %+v", l)
	}
	if !back.key.Equal(rs.key) {
		t.Error("the signing key did not come back")
	}
	if len(back.exports) != 1 || back.exports[0].ID != "ev-1" || back.exports[0].Reason != "perkara 12" {
		t.Errorf("exports %+v", back.exports)
	}
}
