package postgres

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A text search's pattern holds the trigrams of every word of the query,
// and the trigram index (migrations 008, 020) intersects all their lists.
// In a city's history many are in nearly every row ("jl. raya darmo no.";
// the phone's "+62812…" until it got its own index): at a million incidents a page spent 50–200 ms reading those
// lists to confirm what a rare trigram alone had found. So the index is
// asked only for a part or two of the query whose trigrams a sample of the
// rows says are rare, and each row it finds is checked against the whole
// query (the viewer's parts, as before): the same rows, far fewer index
// pages. Without a sample, or when every part is common, the whole query
// goes to the index as before.

// trigramSample is how many of a sample of the searched rows hold each
// trigram, as pg_trgm's show_trgm writes them ("  a", " ab", "abc", "bc ").
type trigramSample struct {
	rows  int
	count map[string]int
	at    time.Time
	seq   uint64 // the journal's last seq when it was taken
}

// freq answers the share of the sampled rows that hold t.
func (s *trigramSample) freq(t string) float64 {
	return float64(s.count[t]) / float64(s.rows)
}

const (
	// trigramSampleRows is about how many rows a sample reads.
	trigramSampleRows = 10_000
	// trigramSampleAge is how old a sample may grow before a search
	// asks for a new one.
	trigramSampleAge = time.Hour
	// commonShare is the share of rows above which the chosen parts are
	// not worth it: the whole text goes to the index, and the planner,
	// seeing it that common, walks the history in order instead.
	commonShare = 0.05
)

// sampleTrigrams counts the trigrams of about trigramSampleRows of the
// incidents (whole pages picked at random: cheap at any size).
func (j *Journal) sampleTrigrams(ctx context.Context) (*trigramSample, error) {
	var pages int64
	if err := j.pool.QueryRow(ctx, `select pg_relation_size('incidents') / current_setting('block_size')::int`).Scan(&pages); err != nil {
		return nil, fmt.Errorf("postgres: sample trigrams: %w", err)
	}
	percent, perPage := 100.0, int64(20) // incidents in an 8 KB page, about
	if pages*perPage > trigramSampleRows {
		percent = 100 * float64(trigramSampleRows) / float64(pages*perPage)
	}
	rows, err := j.pool.Query(ctx, `with s as (select `+searchedText+` x
			from incidents tablesample system ($1))
		select '', count(*) from s
		union all
		select t, count(*) from s, unnest(public.show_trgm(x)) t group by t`, percent)
	if err != nil {
		return nil, fmt.Errorf("postgres: sample trigrams: %w", err)
	}
	defer rows.Close()
	s := &trigramSample{count: map[string]int{}, at: time.Now(), seq: j.last.Load()}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, fmt.Errorf("postgres: sample trigrams: %w", err)
		}
		if t == "" {
			s.rows = n
		} else {
			s.count[t] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: sample trigrams: %w", err)
	}
	return s, nil
}

// trigramSampler keeps the journal's latest sample, taken at open and
// again in the background when a search finds it older than
// trigramSampleAge or statisticsNudge events were committed since.
type trigramSampler struct {
	sample  atomic.Pointer[trigramSample]
	running atomic.Bool
	ctx     context.Context
	stop    context.CancelFunc
	mu      sync.Mutex // orders a resample's start before close's wait
	wg      sync.WaitGroup
}

func (j *Journal) startTrigramSampler() {
	ctx, cancel := context.WithCancel(context.Background())
	j.trigrams = &trigramSampler{ctx: ctx, stop: cancel}
	j.resample()
}

// resample takes a new sample in the background unless one is being taken.
func (j *Journal) resample() {
	s := j.trigrams
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil || !s.running.CompareAndSwap(false, true) {
		return // closed, or one is being taken
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer s.running.Store(false)
		if err := j.refreshTrigramSample(s.ctx); err != nil && s.ctx.Err() == nil {
			j.log.Warn("PostgreSQL: trigram sample not taken; text searches ask the index for the whole text", "err", err)
		}
	}()
}

// refreshTrigramSample takes a new sample now.
func (j *Journal) refreshTrigramSample(ctx context.Context) error {
	sample, err := j.sampleTrigrams(ctx)
	if err != nil {
		return err
	}
	j.trigrams.sample.Store(sample)
	return nil
}

// currentSample answers the latest sample (nil before the first), asking
// for a new one when it is old.
func (j *Journal) currentSample() *trigramSample {
	s := j.trigrams.sample.Load()
	if s != nil && (time.Since(s.at) > trigramSampleAge || j.last.Load()-s.seq >= statisticsNudge) {
		j.resample()
	}
	return s
}

func (s *trigramSampler) close() {
	s.mu.Lock()
	s.stop()
	s.mu.Unlock()
	s.wg.Wait()
}

// indexParts chooses the parts of text (each a substring of it) the
// trigram index is asked for: the rarest by s, then the next rarest
// elsewhere in the text while together they are estimated (as if
// independent) to find more than partsEnough of the rows, three at most.
// None (ask for the whole text) without a sample, or when the best parts
// still find more than commonShare.
func indexParts(text string, s *trigramSample) []string {
	if s == nil || s.rows == 0 {
		return nil
	}
	var parts []part
	add := func(from, to int) {
		ts := patternTrigrams(text[from:to])
		if len(ts) == 0 {
			return
		}
		share := 1.0
		for _, t := range ts {
			f := s.freq(t)
			if f > 0.5 {
				return // a list of most rows: the cost this avoids
			}
			share = min(share, f)
		}
		parts = append(parts, part{span{from, to}, max(share, unseenShare), ts})
	}
	for _, w := range words(text) {
		// The word with what bounds it in the text: its trigrams then
		// include pg_trgm's padded ones, which say where a word starts or
		// ends ("  9", " 99" are rarer than "996"). Only an ASCII
		// neighbour: a byte of a longer character alone is no text.
		from, to := w.from, w.to
		if from > 0 && text[from-1] < 0x80 {
			from--
		}
		if to < len(text) && text[to] < 0x80 {
			to++
		}
		add(from, to)
	}
	// Each three characters alone: "007" of a phone whose other trigrams
	// every phone has, "ng " of "gang".
	for k := 0; k+3 <= len(text); k++ {
		if text[k] < 0x80 && text[k+1] < 0x80 && text[k+2] < 0x80 {
			add(k, k+3)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	sort.SliceStable(parts, func(a, b int) bool { return parts[a].share < parts[b].share })
	chosen, share := []part{parts[0]}, parts[0].share
	known := map[string]bool{}
	for _, t := range parts[0].trigrams {
		known[t] = true
	}
	for _, p := range parts[1:] {
		if share <= partsEnough || len(chosen) == 3 {
			break
		}
		// Another place in the text, and a trigram not asked yet ("000"
		// twice in a phone finds the same rows).
		if slices.ContainsFunc(chosen, p.overlaps) || !slices.ContainsFunc(p.trigrams, func(t string) bool { return !known[t] }) {
			continue
		}
		chosen, share = append(chosen, p), share*p.share
		for _, t := range p.trigrams {
			known[t] = true
		}
	}
	if share > commonShare {
		return nil
	}
	texts := make([]string, len(chosen))
	for k, p := range chosen {
		texts[k] = text[p.from:p.to]
	}
	return texts
}

const (
	// partsEnough is the share of rows the chosen parts may find: 200
	// rows of a million to check against the whole text.
	partsEnough = 0.0002
	// unseenShare is the least share a part is taken to find: the sample
	// reads whole pages, and a history is written in order, so a trigram
	// of a year the sample missed may be in a tenth of the rows (a second
	// part then guards against checking them all).
	unseenShare = 0.005
)

// part is a substring of a query, the share of rows its trigrams find at
// most, and those trigrams.
type part struct {
	span
	share    float64
	trigrams []string
}

func (p part) overlaps(q part) bool { return p.from < q.to && q.from < p.to }

type span struct{ from, to int }

// words answers where text's words are, as pg_trgm splits them for a
// query in ASCII: runs of letters and digits. A part of a word is part of
// pg_trgm's word too, whatever letters surround it.
func words(text string) []span {
	var ws []span
	for k := 0; k < len(text); {
		if !wordByte(text[k]) {
			k++
			continue
		}
		from := k
		for k < len(text) && wordByte(text[k]) {
			k++
		}
		ws = append(ws, span{from, k})
	}
	return ws
}

func wordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// patternTrigrams answers the trigrams pg_trgm takes from the LIKE pattern
// %p%: each ASCII word's, padded where p shows where it starts ("  a",
// " ab") or ends ("z "), not at p's edges (the % there may hide more of
// the word) nor beside other characters (pg_trgm's word may go on). Only
// for estimates: a wrong guess costs time, never a row.
func patternTrigrams(p string) []string {
	var ts []string
	for _, w := range words(p) {
		s := strings.ToLower(p[w.from:w.to])
		if w.from > 0 && p[w.from-1] < 0x80 {
			s = "  " + s
		}
		if w.to < len(p) && p[w.to] < 0x80 {
			s += " "
		}
		for k := 0; k+3 <= len(s); k++ {
			ts = append(ts, s[k:k+3])
		}
	}
	return ts
}
