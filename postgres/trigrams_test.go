package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/internal/pgtest"
)

func TestPatternTrigrams(t *testing.T) {
	for _, c := range []struct{ p, want string }{
		{"996", `["996"]`}, // both edges open: the word may go on
		{" 996", `["  9" " 99" "996"]`},
		{"996.", `["996" "96 "]`},
		{"Jl. Raya", `["jl " "  r" " ra" "ray" "aya"]`},
		{"+62812", `["  6" " 62" "628" "281" "812"]`},
		{"café", `["caf"]`}, // é is part of pg_trgm's word: no end there
		{"x y", `["  y"]`},  // "x " is two letters: no trigram
		{"--", `[]`},
	} {
		if got := fmt.Sprintf("%q", patternTrigrams(c.p)); got != c.want {
			t.Errorf("patternTrigrams(%q) = %s, want %s", c.p, got, c.want)
		}
	}
}

// TestIndexParts: the index is asked for the rarest part of a query, and
// a second only when it halves what the first finds; for the whole text
// when the sample is missing or every part common.
func TestIndexParts(t *testing.T) {
	// 1,000 rows: every address "jl. raya darmo no. n", every phone
	// "+62812…" and its "0812…"; "996" in 1 row of 200, "007" in 1 of
	// 100, "000" in 1 of 5.
	s := &trigramSample{rows: 1000, count: map[string]int{}}
	for _, tg := range []string{"  j", " jl", "jl ", "  r", " ra", "ray", "aya", "ya ", "  d", " da", "dar", "arm", "rmo", "mo ",
		"  n", " no", "no ", "  6", " 62", "628", "281", "812", "120", "200", "  0", " 08", "081"} {
		s.count[tg] = 1000
	}
	s.count["  9"], s.count[" 99"], s.count["996"], s.count["96 "] = 100, 10, 5, 4
	s.count["007"], s.count["000"] = 10, 200
	unseen007 := &trigramSample{rows: s.rows, count: maps.Clone(s.count)}
	delete(unseen007.count, "007")
	rare000 := &trigramSample{rows: s.rows, count: maps.Clone(s.count)}
	rare000.count["000"] = 3
	for _, c := range []struct {
		text   string
		sample *trigramSample
		want   []string
	}{
		{"raya darmo no. 996", s, []string{" 996"}},         // "96 " is not the pattern's: 996 may go on
		{"081200000007", s, []string{"007", "000"}},         // the rare three digits, and a second that halves them
		{"raya darmo", s, nil},                              // every row: the whole text (the planner walks the history)
		{"jl. raya darmo no. 996.", s, []string{" 996."}},   // ends there: "96 " counts
		{"tidak ada", s, []string{"tidak ", "ada"}},         // found nowhere, but the sample is not every row
		{"081200000007", unseen007, []string{"007", "000"}}, // the sample missed the year of 007: not trusted alone
		{"081200000007", rare000, []string{"000", "007"}},   // "000" again elsewhere adds nothing
		{"no", s, nil},                                // no trigram of its own
		{"raya darmo no. 996", nil, nil},              // no sample yet
		{"raya darmo no. 996", &trigramSample{}, nil}, // an empty table's
	} {
		if got := indexParts(c.text, c.sample); !slices.Equal(got, c.want) {
			t.Errorf("indexParts(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestFindIncidentsByRareParts: the answers are the same whether the
// index is asked for the whole text or for the parts a sample chose,
// whoever asks, whatever the text holds (LIKE's wildcards, characters
// beyond ASCII, a line break, a number within a longer one).
func TestFindIncidentsByRareParts(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, pgtest.URL(t))
	j := openJournal(t, db, JournalOptions{})
	defer j.Close()
	if _, err := db.Pool.Exec(ctx, `insert into incidents (id, number, wib_day, category, priority, status, lat, lon,
			district, address, description, caller_name, caller_phone, source, received_at, last_seq, notes, notes_internal)
		select 'inc_' || lpad(i::text, 5, '0'), 'SBY-' || i, '', 'fire', 1, 'closed', -7.25, 112.75, 'Genteng',
			case when i % 50 = 7 then 'Jl. Café_' || i || '%' else 'Jl. Raya Darmo No. ' || (i % 97) end,
			'Laporan warga', 'Warga', '+62812' || lpad(i::text, 8, '0'), 'phone',
			'2026-01-01'::timestamptz + i * interval '1 minute', i,
			case when i % 10 = 0 then E'\nakses lewat gang ' || i else '' end,
			case when i % 100 = 0 then E'\npelapor panik ' || i else '' end
		from generate_series(1, 2000) i`); err != nil {
		t.Fatal(err)
	}
	j.trigrams.wg.Wait() // the open's sample (of an empty table) is taken
	if err := j.refreshTrigramSample(ctx); err != nil {
		t.Fatal(err)
	}
	sampled := j.trigrams.sample.Load()
	if sampled.rows != 2000 || sampled.count["lap"] != 2000 {
		t.Fatalf("sample of %d rows, %d with lap; want all 2,000", sampled.rows, sampled.count["lap"])
	}
	find := func(f cc112.HistoryFilter) string {
		t.Helper()
		f.Limit = 3000
		keys, err := j.FindIncidents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(keys))
		for k, key := range keys {
			ids[k] = key.ID
		}
		return strings.Join(ids, " ")
	}
	// scan answers f by reading every row, without the indexes' conditions.
	scan := func(f cc112.HistoryFilter) string {
		t.Helper()
		var ids string
		if err := db.Pool.QueryRow(ctx, `select coalesce(string_agg(id, ' ' order by received_at desc, id collate "C" desc), '')
			from incidents where search_text like $1 or $2 and search_phone like $1 or $3 and notes_internal like $1`,
			"%"+likeEscape(f.Text)+"%", f.Phone, f.Internal).Scan(&ids); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	byParts := 0
	for _, text := range []string{"raya darmo no. 96", "no. 9", "darmo", "081200000007", "00000007", "+6281200001234",
		"gang 40", "gang 4", "lewat gang 1990", "pelapor panik 1000", "panik", "café_", "café_57%", "é_1", "_", "%", "a%",
		"warga\nakses", "sby-1999", "99", "tidak ada", "0812000019",
		// A caller's phone as people type it (the phone's own index).
		"081200001234", "+6281200001234", "6281200001234", "1234", "234", "0812-0000-1234", "0812 0000 1234",
		"08120000123456", "+62812", "0812", "001", "12"} {
		for _, who := range []struct{ phone, internal bool }{{false, false}, {true, false}, {true, true}} {
			f := cc112.HistoryFilter{Text: text, Phone: who.phone, Internal: who.internal}
			j.trigrams.sample.Store(nil)
			whole := find(f)
			if want := scan(f); whole != want {
				t.Errorf("%q (phone %v, internal %v): by the indexes %q, reading every row %q", text, who.phone, who.internal, whole, want)
			}
			j.trigrams.sample.Store(sampled)
			if indexParts(text, sampled) != nil {
				byParts++
			}
			if got := find(f); got != whole {
				t.Errorf("%q (phone %v, internal %v): by parts %q, by the whole text %q", text, who.phone, who.internal, got, whole)
			}
			// Every part rare: whatever part is chosen.
			// Fresh (now, at the journal's seq): a search does not start a
			// resample that could land in the next round's whole-text baseline.
			j.trigrams.sample.Store(&trigramSample{rows: 2000, count: map[string]int{}, at: time.Now(), seq: j.last.Load()})
			if got := find(f); got != whole {
				t.Errorf("%q (phone %v, internal %v), every part rare: %q, by the whole text %q", text, who.phone, who.internal, got, whole)
			}
		}
	}
	if byParts < 30 {
		t.Fatalf("only %d searches went by parts", byParts)
	}
	// The page's order and cursor hold as before.
	f := cc112.HistoryFilter{Text: "gang 1", Limit: 3, After: &cc112.HistoryKey{ReceivedAt: time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)}} // below incident 180
	keys, err := j.FindIncidents(ctx, f)
	if err != nil || len(keys) != 3 || keys[0].ID != "inc_00170" || keys[2].ID != "inc_00150" {
		t.Fatalf("a page below 03:00 of gang 1…: %v, %v", keys, err)
	}
}

// TestPhoneGramsInTheIndex: what a query asks the phone's index is among
// the grams migration 020 indexed for every phone that holds the query in
// one of its lines, and only short or multi-line queries ask nothing.
func TestPhoneGramsInTheIndex(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, pgtest.URL(t))
	for _, phone := range []string{"+6281234567890\n081234567890", "+12025550123", "+628123\n08123", "", "0812-3456 ÿx"} {
		var indexed []string
		if err := db.Pool.QueryRow(ctx, "select phone_grams($1)", phone).Scan(&indexed); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(phone, "\n") {
			r := []rune(line)
			for from := range r {
				for to := from + 1; to <= len(r); to++ {
					q := string(r[from:to])
					grams := phoneGrams(q)
					if (grams == nil) != (to-from < 3) {
						t.Errorf("phoneGrams(%q) = %q", q, grams)
					}
					for _, g := range grams {
						if !slices.Contains(indexed, g) {
							t.Errorf("%q of %q asks for %q; the index holds %q", q, phone, g, indexed)
						}
					}
				}
			}
		}
	}
	if g := phoneGrams("0812\n0812"); g != nil {
		t.Errorf("a query over two lines asks the index for %q", g)
	}
	for q, want := range map[string]string{"081234567890": `["7890" "3456"]`, "0812345": `["2345" "0812"]`,
		"0000": `["0000"]`, "00000": `["0000"]`, "345": `["345"]`, "+62812": `["2812" "+628"]`} {
		if g := fmt.Sprintf("%q", phoneGrams(q)); g != want {
			t.Errorf("phoneGrams(%s) = %s, want %s", q, g, want)
		}
	}
}
