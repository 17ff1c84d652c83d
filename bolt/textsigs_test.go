package bolt

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"cc112"
)

// plainTextSearch is the search as it was before the signature blocks: a
// walk over every text record, newest first. It is the reference the
// blocks must answer like.
func plainTextSearch(t *testing.T, j *Journal, before *cc112.HistoryKey, q cc112.ArchiveText, max int) []string {
	t.Helper()
	text, qsig := []byte(q.Text), make([]byte, sigBytes)
	pairSig(qsig, q.Text)
	var ids []string
	err := j.view(func(tx *bbolt.Tx) error {
		docs, texts := tx.Bucket([]byte(archiveBucket)), tx.Bucket([]byte(archiveTextBucket))
		c := texts.Cursor()
		for k, v := seekBefore(c, before); k != nil && len(ids) < max; k, v = c.Prev() {
			if !q.From.IsZero() && bytes.Compare(k, archiveKey(q.From, "")) < 0 {
				break
			}
			public, phone, internal, err := textHit(v, text, qsig, q.Internal)
			if err != nil {
				return err
			}
			if public || phone && q.Phone || internal && q.Internal {
				inc, err := j.decodeArchived(k, docs.Get(k))
				if err != nil {
					return err
				}
				ids = append(ids, inc.ID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// checkSigBlocks: the blocks hold archive_text's keys, each once and in
// order, with their records' signatures; no block is empty or over
// sigBlockMax, and each is under its first key.
func checkSigBlocks(t *testing.T, j *Journal) {
	t.Helper()
	err := j.view(func(tx *bbolt.Tx) error {
		texts := tx.Bucket([]byte(archiveTextBucket)).Cursor()
		tk, tv := texts.First()
		return tx.Bucket([]byte(archiveSigBucket)).ForEach(func(bk, bv []byte) error {
			blk, err := viewSigBlock(bv)
			if err != nil {
				return fmt.Errorf("block %x: %w", bk, err)
			}
			if blk.n > sigBlockMax {
				return fmt.Errorf("block %x holds %d incidents", bk, blk.n)
			}
			for i := range blk.n {
				k, err := blk.key(i)
				if err != nil {
					return err
				}
				if i == 0 && !bytes.Equal(k, bk) {
					return fmt.Errorf("block %x begins with %x", bk, k)
				}
				if !bytes.Equal(k, tk) {
					return fmt.Errorf("block %x holds %x where archive_text has %x", bk, k, tk)
				}
				want, err := recordSigs(tv)
				if err != nil {
					return err
				}
				for w := range sigWords {
					if blk.word(w, i) != want[w] {
						return fmt.Errorf("block %x: %x's word %d differs from its record's", bk, k, w)
					}
				}
				tk, tv = texts.Next()
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

var searchWords = []string{"banjir", "longsor", "kebakaran", "tabrakan", "darmo", "wonokromo", "pelapor", "ambulans", "sby", "korban"}

// randomIncident is one of a pool of ids received within a few days (many
// on the same second: ties ordered by id), with public notes, an internal
// one and a phone.
func randomIncident(rng *rand.Rand) *cc112.Incident {
	n := rng.IntN(1500)
	at := baseTime.Add(time.Duration(rng.IntN(3000)) * time.Minute)
	word := func() string { return searchWords[rng.IntN(len(searchWords))] }
	return &cc112.Incident{ID: fmt.Sprintf("inc-%04d", n), Number: fmt.Sprintf("SBY-%d", n), Status: cc112.IncidentClosed,
		ReceivedAt: at, Description: word() + " " + word(), Caller: &cc112.Caller{Phone: fmt.Sprintf("+62812%04d", rng.IntN(10000))},
		Notes: []cc112.Note{{Text: word()}, {Text: "rahasia " + word() + fmt.Sprint(rng.IntN(50)), Internal: true}}}
}

// randomQuery is a word or a piece of one, a phone, a text across parts or
// one too short for a signature, asked by any viewer, from any key, down to
// any From, for a page of any size.
func randomQuery(rng *rand.Rand, keys []cc112.HistoryKey) (*cc112.HistoryKey, cc112.ArchiveText, int) {
	w := searchWords[rng.IntN(len(searchWords))]
	var text string
	switch rng.IntN(6) {
	case 0:
		text = w
	case 1:
		from := rng.IntN(len(w) - 1)
		text = w[from : from+1+rng.IntN(len(w)-from)]
	case 2:
		text = fmt.Sprintf("0812%d", rng.IntN(100))
	case 3:
		text = fmt.Sprintf("rahasia %s%d", w, rng.IntN(50))
	case 4:
		text = w + "rahasia"
	default:
		text = w[:1]
	}
	q := cc112.ArchiveText{Text: text, Phone: rng.IntN(2) == 0, Internal: rng.IntN(2) == 0}
	if rng.IntN(3) == 0 {
		q.From = baseTime.Add(time.Duration(rng.IntN(3000)) * time.Minute)
	}
	var before *cc112.HistoryKey
	switch {
	case len(keys) > 0 && rng.IntN(3) == 0:
		before = &keys[rng.IntN(len(keys))]
	case rng.IntN(3) == 0:
		before = &cc112.HistoryKey{ReceivedAt: baseTime.Add(time.Duration(rng.IntN(3000)) * time.Minute)}
	}
	return before, q, 1 + rng.IntN(80)
}

// The search over the signature blocks finds what the plain walk over
// every text record finds, page by page, for every viewer, over random
// archives written in batches (blocks split and re-keyed) with incidents
// restored and archived again, through a kill (the file as a commit left
// it, opened elsewhere) and an open that builds the blocks of an archive
// without them.
func TestArchiveTextSearchMatchesPlainWalk(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(3) {
		rng := rand.New(rand.NewPCG(seed, 112))
		dir := t.TempDir()
		j, _ := openT(t, dir)
		seq := uint64(0)
		for round := range 8 {
			var evs []cc112.Event
			for range 1 + rng.IntN(700) {
				seq++
				inc, typ := randomIncident(rng), cc112.EvIncidentArchived
				if rng.IntN(5) == 0 {
					typ = cc112.EvIncidentRestored
				}
				evs = append(evs, archiveEvent(t, seq, typ, inc))
			}
			appendWait(t, j, evs)
			switch round {
			case 3: // killed after the commit
				dir = writeImage(t, readFile(t, dbPath(dir)))
				j, _ = openT(t, dir)
			case 5: // an archive of a version before the blocks
				if err := j.db.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte(archiveSigBucket)) }); err != nil {
					t.Fatal(err)
				}
				_ = j.Close()
				var lb *logBuf
				j, lb = openT(t, dir)
				if !strings.Contains(lb.String(), "filled the archive's indexes of an older version") || !strings.Contains(lb.String(), archiveSigBucket) {
					t.Fatalf("seed %d: the blocks were not built loudly at open:\n%s", seed, lb.String())
				}
				_ = j.Close()
				if j, lb = openT(t, dir); strings.Contains(lb.String(), "filled the archive's indexes") {
					t.Fatalf("seed %d: built again at the next open:\n%s", seed, lb.String())
				}
			}
			checkSigBlocks(t, j)
			var keys []cc112.HistoryKey
			if err := j.EachArchived(ctx, nil, func(inc *cc112.Incident) bool {
				keys = append(keys, cc112.HistoryKey{ReceivedAt: inc.ReceivedAt, ID: inc.ID})
				return true
			}); err != nil {
				t.Fatal(err)
			}
			for range 40 {
				before, q, max := randomQuery(rng, keys)
				want := plainTextSearch(t, j, before, q, max)
				var got []string
				if err := j.EachArchivedText(ctx, before, q, func(inc *cc112.Incident) bool {
					got = append(got, inc.ID)
					return len(got) < max
				}); err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("seed %d round %d: %+v before %+v, page of %d:\n got %v\nwant %v", seed, round, q, before, max, got, want)
				}
			}
		}
	}
}
