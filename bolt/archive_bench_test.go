package bolt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/internal/testenv"
)

// BenchmarkArchiveText: a page (51 hits at most) of a text search over an
// archive of 150,000 incidents (CC112_ARCHIVE_INCIDENTS to change it; ten
// years of Surabaya), each with a caller, two units sent, three public
// notes and an internal one. "rare" is a word in one incident of 5,000 (a
// page never fills: the whole archive is searched), "internal_unseen" a
// word of internal notes asked by a viewer who does not see them, "common"
// a word in every incident, "number" one incident's number. by_text is
// EachArchivedText (the signature blocks, then the text records and
// documents of the candidates); decode_all decodes every document and
// matches it, as the archive's walk did before the text bucket.
func BenchmarkArchiveText(b *testing.B) {
	n := 150_000
	if v, err := strconv.Atoi(os.Getenv("CC112_ARCHIVE_INCIDENTS")); err == nil && v > 0 {
		n = v
	}
	j, _ := openT(b, b.TempDir())
	ctx := context.Background()
	t0 := time.Now()
	var evs []cc112.Event
	for k := range n {
		at := baseTime.Add(-time.Duration(n-k) * 30 * time.Minute)
		note := "Petugas sudah di lokasi, arus lalu lintas dialihkan"
		if k%5000 == 17 {
			note = "Tanah longsor menutup jalan"
		}
		inc := benchIncident(k, at, note)
		evs = append(evs, archiveEvent(b, uint64(k+1), cc112.EvIncidentArchived, inc))
		if len(evs) == 5000 || k == n-1 {
			appendWait(b, j, evs)
			evs = nil
		}
	}
	b.Logf("%d archived incidents written in %s", n, time.Since(t0).Round(time.Second))
	for _, c := range []struct {
		name string
		q    cc112.ArchiveText
	}{
		{"rare", cc112.ArchiveText{Text: "longsor", Phone: true, Internal: true}},
		{"internal_unseen", cc112.ArchiveText{Text: "dirahasiakan"}},
		{"common", cc112.ArchiveText{Text: "tabrakan"}},
		// One incident's number: digit pairs are common in every text
		// (numbers, phones, addresses), so a signature rules out fewer.
		{"number", cc112.ArchiveText{Text: fmt.Sprintf("sby-%d", n/2)}},
	} {
		b.Run(c.name+"/by_text", func(b *testing.B) {
			got, c0 := 0, testenv.CPUTime()
			for b.Loop() {
				got = 0
				if err := j.EachArchivedText(ctx, nil, c.q, func(*cc112.Incident) bool { got++; return got < 51 }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(got), "hits")
			b.ReportMetric(float64((testenv.CPUTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
		b.Run(c.name+"/decode_all", func(b *testing.B) {
			got, c0 := 0, testenv.CPUTime()
			for b.Loop() {
				got = 0
				if err := j.EachArchived(ctx, nil, func(inc *cc112.Incident) bool {
					public, phone, internal := cc112.SearchText(inc)
					if strings.Contains(public, c.q.Text) || c.q.Phone && strings.Contains(phone, c.q.Text) ||
						c.q.Internal && strings.Contains(internal, c.q.Text) {
						got++
					}
					return got < 51
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(got), "hits")
			b.ReportMetric(float64((testenv.CPUTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// benchIncident is the k-th incident of an archive benchmark: a caller, two
// units sent, three public notes (the second is note) and an internal one.
func benchIncident(k int, at time.Time, note string) *cc112.Incident {
	return &cc112.Incident{ID: fmt.Sprintf("inc_%012x", k), Number: fmt.Sprintf("SBY-%d", k), Status: cc112.IncidentClosed,
		Category: cc112.CatTrafficAccident, Priority: 2, ReceivedAt: at, Address: fmt.Sprintf("Jl. Raya Darmo No. %d", k%997),
		Description: "Tabrakan motor dengan mobil, satu korban luka", District: "Wonokromo",
		Caller: &cc112.Caller{Name: "Warga", Phone: fmt.Sprintf("+62812%08d", k)},
		Notes: []cc112.Note{{ID: "n1", Author: "op", Role: "dispatcher", Text: "Korban dibawa ke RSUD dr. Soetomo", At: at},
			{ID: "n2", Author: "op", Role: "dispatcher", Text: note, At: at},
			{ID: "n3", Author: "op", Role: "dispatcher", Text: "Selesai, jalan dibuka kembali", At: at},
			{ID: "n4", Author: "sup", Role: "supervisor", Text: "Pelapor minta identitas dirahasiakan", Internal: true, At: at}},
		Assignments: []*cc112.Assignment{{UnitID: "amb-1", Callsign: "AMB-1", Agency: "dinkes", DispatchedAt: at},
			{UnitID: "pol-7", Callsign: "POL-7", Agency: "polri", DispatchedAt: at}}}
}

// BenchmarkArchiveBatch: archiving a batch of 500 incidents (the engine's
// largest) into an archive of 50,000 (CC112_ARCHIVE_INCIDENTS to change
// it): "in_order" received after every archived one, as the engine lets
// incidents go; "scattered" received at random over the archive's years,
// as an import of past years in no order might, which changes a signature
// block per incident.
func BenchmarkArchiveBatch(b *testing.B) {
	n := 50_000
	if v, err := strconv.Atoi(os.Getenv("CC112_ARCHIVE_INCIDENTS")); err == nil && v > 0 {
		n = v
	}
	const batch = 500
	for _, scattered := range []bool{false, true} {
		name := "in_order"
		if scattered {
			name = "scattered"
		}
		b.Run(name, func(b *testing.B) {
			j, _ := openT(b, b.TempDir())
			seq, k := uint64(0), 0
			add := func(at func(k int) time.Time) {
				var evs []cc112.Event
				for range batch {
					seq, k = seq+1, k+1
					evs = append(evs, archiveEvent(b, seq, cc112.EvIncidentArchived, benchIncident(k, at(k), "Selesai")))
				}
				appendWait(b, j, evs)
			}
			inOrder := func(k int) time.Time { return baseTime.Add(time.Duration(k) * 30 * time.Minute) }
			for k < n {
				add(inOrder)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			random := func(int) time.Time { return baseTime.Add(time.Duration(rng.IntN(n)) * 30 * time.Minute) }
			c0 := testenv.CPUTime()
			for b.Loop() {
				if scattered {
					add(random)
				} else {
					add(inOrder)
				}
			}
			b.ReportMetric(float64((testenv.CPUTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
