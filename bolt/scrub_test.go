package bolt

import (
	"cc112"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// smallOpenCheck makes Open read only the newest n records for one test.
func smallOpenCheck(t *testing.T, n int) {
	was := openCheckTail
	openCheckTail = n
	t.Cleanup(func() { openCheckTail = was })
}

func scrubbed(t *testing.T, j *Journal) ScrubState {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := j.ScrubResult()
		if st.Done {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scrub is not done after 10 s: %+v", st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestOpenReadsOnlyTheNewestRecords: a start reads the newest records
// itself and the rest in the background; damage there is reported by the
// scrub (and by a Replay that reads it), not by refusing to start.
func TestOpenReadsOnlyTheNewestRecords(t *testing.T) {
	smallOpenCheck(t, 3)
	for _, tc := range []struct {
		name   string
		kv     map[string][]byte
		delete uint64 // a record removed (0: none)
		damage string // in ScrubResult's Damage; "" none
	}{
		{name: "intact"},
		{name: "old record corrupt", kv: map[string][]byte{seqKey(2): mangle(validRec(2), 30)}, damage: "record at key 0000000000000002 (seq 2 expected) is corrupt"},
		{name: "old record missing", delete: 4, damage: "seq 4 is missing: the next record is seq 5"},
		{name: "first record missing", delete: 1, damage: "seq 1 is missing: the next record is seq 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := closedJournal(t)
			if tc.kv != nil {
				rawPut(t, dir, tc.kv)
			}
			if tc.delete != 0 {
				rawDelete(t, dir, tc.delete)
			}
			j2, lb := openT(t, dir)
			if j2.LastSeq() != 10 {
				t.Fatalf("last seq %d, want 10", j2.LastSeq())
			}
			st := scrubbed(t, j2)
			if tc.damage == "" {
				if st.Damage != nil || st.Checked != 7 || st.To != 7 {
					t.Fatalf("scrub of an intact journal: %+v, want 7 records checked, no damage", st)
				}
				checkEvents(t, replayAll(t, j2, 0), mkEvents(1, 10))
				return
			}
			if st.Damage == nil || !strings.Contains(st.Damage.Error(), tc.damage) {
				t.Fatalf("scrub found %v, want %q", st.Damage, tc.damage)
			}
			if lb.count("level=ERROR") != 1 || lb.count("an older record is damaged") != 1 {
				t.Errorf("the damage is not logged once as an error:\n%s", lb)
			}
			checkEvents(t, replayAll(t, j2, 7), mkEvents(8, 3)) // a checkpoint's tail replays
			if err := j2.Replay(context.Background(), 0, func(cc112.Event) error { return nil }); !errors.Is(err, ErrCorrupt) {
				t.Errorf("a full replay over the damage = %v, want ErrCorrupt", err)
			}
			appendWait(t, j2, mkEvents(11, 1)) // the center goes on
		})
	}
}

func rawDelete(t *testing.T, dir string, seq uint64) {
	t.Helper()
	db, err := bbolt.Open(dbPath(dir), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte(bucketName)).Delete([]byte(seqKey(seq))) }); err != nil {
		t.Fatal(err)
	}
}
