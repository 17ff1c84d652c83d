package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"cc112"
)

// TestMetaLayout checks parseMeta against bbolt v1.5.0 itself: the txid and
// page size it reads must be those bbolt reports.
func TestMetaLayout(t *testing.T) {
	dir := t.TempDir()
	j, _ := openT(t, dir)
	appendWait(t, j, mkEvents(1, 3))
	var txid int
	if err := j.db.View(func(tx *bbolt.Tx) error { txid = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	img := readFile(t, dbPath(dir))
	slot, m, ps := newestSlot(t, img)
	if int(m.txid) != txid || ps != j.db.Info().PageSize || slot != txid%2 {
		t.Fatalf("parsed newest meta: slot %d txid %d page size %d; bbolt: txid %d page size %d",
			slot, m.txid, ps, txid, j.db.Info().PageSize)
	}
	if err := m.fits(uint32(ps), int64(len(img))); err != nil {
		t.Fatalf("newest meta of a healthy file does not fit: %v", err)
	}
}

// crashImages returns the journal file just before and just after a final
// commit that grew the file, and the last seq of each.
func crashImages(t *testing.T) (before, after []byte, beforeSeq, afterSeq uint64) {
	t.Helper()
	dir := t.TempDir()
	j, _ := openT(t, dir)
	for i := range 5 {
		appendWait(t, j, mkEvents(uint64(i*10+1), 10))
	}
	before, beforeSeq = readFile(t, dbPath(dir)), 50
	big := mkEvents(51, 300)
	for i := range big {
		big[i].Data = json.RawMessage(fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat("x", 400)))
	}
	appendWait(t, j, big) // one commit
	after, afterSeq = readFile(t, dbPath(dir)), 350
	_, m, ps := newestSlot(t, after)
	if hwm := int(m.pgid) * ps; len(after) <= len(before) || hwm <= len(before) {
		t.Fatalf("final commit did not grow the file: before %d bytes, after %d, high-water mark %d", len(before), len(after), hwm)
	}
	return before, after, beforeSeq, afterSeq
}

func TestCrashImages(t *testing.T) {
	before, after, beforeSeq, afterSeq := crashImages(t)
	newSlot, newMeta, ps := newestSlot(t, after)
	hwm := int(newMeta.pgid) * ps

	type image struct {
		name     string
		img      []byte
		wantSeq  uint64
		wantWarn string // "" means: no warning
	}
	var images []image
	// (c) the file cut short, mid-record, anywhere between the previous
	// commit's size and what the final commit needs.
	for _, size := range []int{len(before), len(before) + 1, len(before) + ps/2, (len(before) + hwm) / 2, hwm - ps - 100, hwm - 1} {
		images = append(images, image{fmt.Sprintf("truncated to %d of %d bytes", size, len(after)),
			after[:size:size], beforeSeq, "the newest commit is torn"})
	}
	// Cut only what the final commit does not use: nothing is lost.
	images = append(images, image{"truncated to the high-water mark", after[:hwm:hwm], afterSeq, ""})
	// (a) the final commit's pages written but not its meta page.
	a := bytes.Clone(after)
	copy(a[newSlot*ps:(newSlot+1)*ps], before[newSlot*ps:(newSlot+1)*ps])
	images = append(images, image{"meta page not written", a, beforeSeq, ""})
	// (b) the newest meta page torn or garbled.
	for _, off := range []int{pageHeaderSize, pageHeaderSize + 40, pageHeaderSize + metaChecksumAt, pageHeaderSize + metaSize - 1} {
		g := bytes.Clone(after)
		g[newSlot*ps+off] ^= 0x5a
		images = append(images, image{fmt.Sprintf("newest meta garbled at byte %d", off), g, beforeSeq, "meta page is torn or garbled"})
	}
	// A whole meta page garbled, its page header too (bbolt's consistency
	// check asserts every page's id and type): the other meta page is used.
	for _, slot := range []int{newSlot, 1 - newSlot} {
		g := bytes.Clone(after)
		for i := slot * ps; i < (slot+1)*ps; i++ {
			g[i] = 0xa5
		}
		want := beforeSeq
		if slot != newSlot {
			want = afterSeq
		}
		images = append(images, image{fmt.Sprintf("meta page %d wholly garbled (newest %d)", slot, newSlot), g, want, "meta page is torn or garbled"})
	}
	// A torn meta write of a commit after the final one: the final one stays.
	o := bytes.Clone(after)
	o[(1-newSlot)*ps+pageHeaderSize+metaChecksumAt] ^= 0x01
	images = append(images, image{"older meta garbled", o, afterSeq, "meta page is torn or garbled"})
	// (b)+(c) the newest meta garbled and the file cut to the previous size.
	g := bytes.Clone(after[:len(before)])
	g[newSlot*ps+pageHeaderSize] ^= 0xff
	images = append(images, image{"newest meta garbled and file truncated", g, beforeSeq, "meta page is torn or garbled"})

	for _, tc := range images {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeImage(t, tc.img)
			j, lb := openT(t, dir)
			if j.LastSeq() != tc.wantSeq {
				t.Fatalf("LastSeq = %d, want %d", j.LastSeq(), tc.wantSeq)
			}
			got := replayAll(t, j, 0)
			if len(got) != int(tc.wantSeq) || !sameEvent(got[49], mkEvents(50, 1)[0]) || got[len(got)-1].Seq != tc.wantSeq {
				t.Fatalf("replayed %d events, want %d intact", len(got), tc.wantSeq)
			}
			if testing.Verbose() {
				t.Log(lb)
			}
			if tc.wantWarn == "" && lb.count("level=WARN") != 0 {
				t.Errorf("unexpected warnings:\n%s", lb)
			}
			if tc.wantWarn != "" && (lb.count(tc.wantWarn) == 0 || lb.count("recovered from a torn write") == 0) {
				t.Errorf("no warning %q (and recovery summary) logged:\n%s", tc.wantWarn, lb)
			}
			// The journal goes on from where it is.
			next := mkEvents(tc.wantSeq+1, 5)
			appendWait(t, j, next)
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			j2, lb2 := openT(t, dir)
			got = replayAll(t, j2, 0)
			checkEvents(t, got[tc.wantSeq:], next)
			if n := lb2.count("level=WARN"); n != 0 {
				t.Errorf("reopening the repaired journal logged %d warnings:\n%s", n, lb2)
			}
		})
	}
}

func TestUnrecoverableImagesRefused(t *testing.T) {
	before, after, _, _ := crashImages(t)
	_, _, ps := newestSlot(t, after)
	both := bytes.Clone(after)
	both[pageHeaderSize] ^= 0xff
	both[ps+pageHeaderSize] ^= 0xff
	oldMetas, _, _ := metasOf(t, before)
	oldHWM := int(max(oldMetas[0].pgid, oldMetas[1].pgid)) * ps
	tests := []struct {
		name string
		img  []byte
	}{
		{"both meta pages garbled", both},
		{"truncated below both commits", after[: oldHWM-1 : oldHWM-1]},
		{"truncated to one page", after[:ps:ps]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeImage(t, tc.img)
			j, err := Open(dir, nil)
			if err == nil {
				_ = j.Close()
				t.Fatal("Open started on a journal it cannot read")
			}
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), dbPath(dir)) {
				t.Fatalf("Open = %v, want ErrCorrupt naming the file", err)
			}
			if got := readFile(t, dbPath(dir)); !bytes.Equal(got, tc.img) {
				t.Fatal("Open modified a file it refused")
			}
		})
	}
}

// rawPut writes records into a closed journal with bbolt, bypassing Append.
func rawPut(t *testing.T, dir string, kv map[string][]byte) {
	t.Helper()
	db, err := bbolt.Open(dbPath(dir), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucketName))
		for k, v := range kv {
			if err := b.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func seqKey(seq uint64) string { return string(binary.BigEndian.AppendUint64(nil, seq)) }

// validRec is the record Append would store for ev, placed under key seq.
func validRec(seq uint64) []byte {
	ev := mkEvents(seq, 1)[0]
	buf := make([]byte, 8+recordSize(&ev))
	_, rec := encodeRecord(buf, &ev)
	return rec
}

func mangle(rec []byte, at int) []byte {
	rec = bytes.Clone(rec)
	rec[at] ^= 0x01
	return rec
}

// wantOpenRefused: Open refuses the journal in dir with ErrCorrupt and
// leaves the file as it was.
func wantOpenRefused(t *testing.T, dir string) {
	t.Helper()
	img := readFile(t, dbPath(dir))
	j, err := Open(dir, nil)
	if err == nil {
		_ = j.Close()
		t.Fatal("Open dropped or skipped intact events instead of refusing")
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open = %v, want ErrCorrupt", err)
	}
	if !bytes.Equal(readFile(t, dbPath(dir)), img) {
		t.Fatal("Open modified a journal it refused")
	}
}

// closedJournal is a journal of events 1..10, closed, in a new folder.
func closedJournal(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	j, _ := openT(t, dir)
	appendWait(t, j, mkEvents(1, 10))
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCorruptTail: a torn tail is dropped, anything else refused. Run
// again with Open reading only the newest 3 records: the same, but for
// damage older than those (old), which the background scrub reports.
func TestCorruptTail(t *testing.T) {
	t.Run("whole journal read at open", func(t *testing.T) { corruptTail(t, false) })
	t.Run("newest 3 read at open", func(t *testing.T) { smallOpenCheck(t, 3); corruptTail(t, true) })
}

func corruptTail(t *testing.T, scrubbing bool) {
	tests := []struct {
		name    string
		kv      map[string][]byte
		dropped int // records dropped; -1: Open must refuse
		old     bool
	}{
		{"data byte flipped", map[string][]byte{seqKey(11): mangle(validRec(11), 30)}, 1, false},
		{"CRC byte flipped", map[string][]byte{seqKey(11): mangle(validRec(11), 2)}, 1, false},
		{"time flipped", map[string][]byte{seqKey(11): mangle(validRec(11), 9)}, 1, false},
		{"shorter than a header", map[string][]byte{seqKey(11): {1, 2, 3}}, 1, false},
		{"empty value", map[string][]byte{seqKey(11): {}}, 1, false},
		{"cut mid-record", map[string][]byte{seqKey(11): validRec(11)[:20]}, 1, false},
		{"unknown version", map[string][]byte{seqKey(11): mangle(validRec(11), 0)}, 1, false},
		{"type length past the end", map[string][]byte{seqKey(11): func() []byte { r := validRec(11); r[5] = 255; return r }()}, 1, false},
		{"record under the wrong key", map[string][]byte{seqKey(11): validRec(12)}, 1, false},
		{"garbage key at the end", map[string][]byte{"zzz": []byte("garbage")}, 1, false},
		{"three torn records", map[string][]byte{seqKey(11): mangle(validRec(11), 20), seqKey(12): nil, seqKey(13): mangle(validRec(13), 1)}, 3, false},
		{"intact record after a torn one", map[string][]byte{seqKey(11): mangle(validRec(11), 20), seqKey(12): validRec(12)}, -1, false},
		{"gap before an intact record", map[string][]byte{seqKey(12): validRec(12)}, -1, false},
		{"corrupt record in the middle", map[string][]byte{seqKey(5): mangle(validRec(5), 20)}, -1, true},
		{"garbage key before the first", map[string][]byte{"\x00": validRec(1)}, -1, true},
		{"corrupt record among the newest", map[string][]byte{seqKey(9): mangle(validRec(9), 20)}, -1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := closedJournal(t)
			want := mkEvents(1, 10)
			rawPut(t, dir, tc.kv)

			if tc.old && scrubbing {
				j, lb := openT(t, dir)
				if st := scrubbed(t, j); st.Damage == nil || lb.count("an older record is damaged") != 1 {
					t.Fatalf("the scrub found %+v, want the damage reported:\n%s", st, lb)
				}
				return
			}
			if tc.dropped < 0 {
				wantOpenRefused(t, dir)
				return
			}

			j2, lb := openT(t, dir)
			if n := lb.count("dropping a corrupt record at the tail"); n != tc.dropped {
				t.Fatalf("logged %d dropped records, want %d:\n%s", n, tc.dropped, lb)
			}
			checkEvents(t, replayAll(t, j2, 0), want)
			appendWait(t, j2, mkEvents(11, 2))
			if err := j2.Close(); err != nil {
				t.Fatal(err)
			}
			j3, lb3 := openT(t, dir) // the drop was committed: a clean journal now
			checkEvents(t, replayAll(t, j3, 0), mkEvents(1, 12))
			if n := lb3.count("level=WARN"); n != 0 {
				t.Errorf("reopen logged %d warnings:\n%s", n, lb3)
			}
		})
	}
}

func TestReplayDetectsCorruption(t *testing.T) {
	// Corruption appearing while the journal is open is reported, not skipped.
	dir := t.TempDir()
	j, _ := openT(t, dir)
	j.chunk = 2
	appendWait(t, j, mkEvents(1, 5))
	if err := j.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte(bucketName)).Put([]byte(seqKey(3)), mangle(validRec(3), 25))
	}); err != nil {
		t.Fatal(err)
	}
	var seen []uint64
	err := j.Replay(t.Context(), 0, func(ev cc112.Event) error { seen = append(seen, ev.Seq); return nil })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Replay = %v, want ErrCorrupt", err)
	}
	if fmt.Sprint(seen) != "[1 2]" {
		t.Fatalf("Replay delivered %v before the corrupt seq 3, want [1 2]", seen)
	}
}

func TestStaleTempFromInterruptedCreation(t *testing.T) {
	// A crash while creating the journal leaves only a temporary file: the
	// next start creates a fresh journal and removes the old leftover.
	dir := t.TempDir()
	old, young := filepath.Join(dir, tmpPrefix+"1"), filepath.Join(dir, tmpPrefix+"2")
	for _, n := range []string{old, young} {
		if err := os.WriteFile(n, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(old, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	j, _ := openT(t, dir)
	appendWait(t, j, mkEvents(1, 1))
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temporary file still there: %v", err)
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("a young temporary file (maybe another process's) was removed: %v", err)
	}
}
