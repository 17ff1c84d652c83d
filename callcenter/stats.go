package callcenter

import (
	"slices"
	"sort"
	"strings"
	"time"

	"cc112"
	"cc112/geo"
)

// Policy statistics of the Media Center: what the city's complaints are
// about, where, through which channel, and how each agency keeps its SLAs.

// StatsGroups are the dimensions a statistics query groups by.
var StatsGroups = []string{"category", "agency", "kecamatan", "kelurahan", "channel", "month"}

// maxStatsRange bounds a statistics query.
const maxStatsRange = 3 * 366 * 24 * time.Hour

// Stats answers GET /api/v1/complaints/stats.
type Stats struct {
	From    time.Time  `json:"from"`
	To      time.Time  `json:"to"`
	GroupBy string     `json:"group_by"`
	Total   int        `json:"total"`
	Rows    []StatsRow `json:"rows"`
	// Overall counts every complaint once, over every agency.
	Overall StatsRow `json:"overall"`
	// Agencies is every agency's SLA record, whatever the grouping.
	Agencies []StatsRow `json:"agencies"`
	// Repeats are the places complained about more than once (the first
	// complaint and how many repeated it), most repeated first.
	Repeats            []RepeatPlace `json:"repeats"`
	ResponseSLASeconds float64       `json:"response_sla_s"`
	FeedbackSLASeconds float64       `json:"feedback_sla_s"`
}

// StatsRow counts the complaints of one group. The SLA shares are over
// what is decided at now: a forward answered, or past its due time
// unanswered (a forward rejected as not the agency's does not count); a
// complaint given feedback, or past its feedback SLA without. A share is
// nil when nothing is decided yet.
type StatsRow struct {
	Key           string   `json:"key"`
	Complaints    int      `json:"complaints"`
	Forwarded     int      `json:"forwarded"`
	Closed        int      `json:"closed"`
	Escalated     int      `json:"escalated"` // an SMS to the mayor went (or is due)
	Repeats       int      `json:"repeats"`   // repeat complaints about a place already reported
	ForwardsDue   int      `json:"forwards_due"`
	AnsweredInSLA int      `json:"answered_in_sla"`
	AnsweredShare *float64 `json:"answered_share"`
	FeedbackDue   int      `json:"feedback_due"`
	FeedbackInSLA int      `json:"feedback_in_sla"`
	FeedbackShare *float64 `json:"feedback_share"`
	Satisfied     int      `json:"satisfied"`
	NotSatisfied  int      `json:"not_satisfied"`
}

// RepeatPlace is a place and topic reported more than once.
type RepeatPlace struct {
	Number    string     `json:"number"` // the first complaint
	Category  string     `json:"category"`
	Kecamatan string     `json:"kecamatan"`
	Kelurahan string     `json:"kelurahan"`
	Count     int        `json:"count"` // complaints in all, the first included
	Location  *geo.Point `json:"location,omitempty"`
}

// Stats counts the complaints received in [from, to), grouped by groupBy.
func (s *Service) Stats(from, to time.Time, groupBy string) (*Stats, error) {
	if groupBy == "" {
		groupBy = "category"
	}
	if !slices.Contains(StatsGroups, groupBy) {
		return nil, cc112.Errorf(cc112.EInvalid, "group_by must be one of %s, not %q", strings.Join(StatsGroups, ", "), groupBy)
	}
	if !to.After(from) {
		return nil, cc112.Errorf(cc112.EInvalid, "to must be after from")
	}
	if to.Sub(from) > maxStatsRange {
		return nil, cc112.Errorf(cc112.EInvalid, "the range is longer than three years")
	}
	now := s.now()
	st := &Stats{From: from, To: to, GroupBy: groupBy, Rows: []StatsRow{}, Agencies: []StatsRow{}, Repeats: []RepeatPlace{},
		ResponseSLASeconds: s.cfg.ResponseSLA.Seconds(), FeedbackSLASeconds: s.cfg.FeedbackSLA.Seconds()}
	rows, agencies := map[string]*StatsRow{}, map[string]*StatsRow{}
	repeats := map[string]*RepeatPlace{}
	get := func(m map[string]*StatsRow, k string) *StatsRow {
		if m[k] == nil {
			m[k] = &StatsRow{Key: k}
		}
		return m[k]
	}
	s.eng.Read(func() {
		for _, c := range s.complaints {
			if c.ReceivedAt.Before(from) || !c.ReceivedAt.Before(to) {
				continue
			}
			st.Total++
			if c.RepeatOf != "" {
				first := s.complaints[s.byNumber[c.RepeatOf]]
				if repeats[c.RepeatOf] == nil && first != nil {
					repeats[c.RepeatOf] = &RepeatPlace{Number: first.Number, Category: first.Category, Kecamatan: first.District,
						Kelurahan: first.Kelurahan, Count: 1, Location: first.Location}
				}
				if r := repeats[c.RepeatOf]; r != nil {
					r.Count++
				}
			}
			var keys []string
			switch groupBy {
			case "category":
				keys = []string{c.Category}
			case "kecamatan":
				keys = []string{c.District}
			case "kelurahan":
				keys = []string{c.Kelurahan}
			case "channel":
				keys = []string{c.Channel}
			case "month":
				keys = []string{c.ReceivedAt.In(cc112.WIB).Format("2006-01")}
			case "agency":
				keys = complaintAgencies(c)
			}
			for _, k := range keys {
				agency := "" // every forward of the complaint counts…
				if groupBy == "agency" {
					agency = k // …but an agency's row counts its own forwards only
				}
				s.count(get(rows, k), c, agency, now)
			}
			for _, a := range complaintAgencies(c) {
				s.count(get(agencies, a), c, a, now)
			}
			s.count(&st.Overall, c, "", now)
		}
	})
	st.Rows, st.Agencies = sortedStats(rows), sortedStats(agencies)
	st.Overall = sortedStats(map[string]*StatsRow{"": &st.Overall})[0]
	for _, r := range repeats {
		st.Repeats = append(st.Repeats, *r)
	}
	sort.Slice(st.Repeats, func(a, b int) bool {
		if st.Repeats[a].Count != st.Repeats[b].Count {
			return st.Repeats[a].Count > st.Repeats[b].Count
		}
		return st.Repeats[a].Number < st.Repeats[b].Number
	})
	return st, nil
}

// complaintAgencies are the agencies a complaint went to, once each, in
// order ("" when it was not forwarded).
func complaintAgencies(c *cc112.Complaint) []string {
	var out []string
	for _, f := range c.Forwards {
		if !slices.Contains(out, f.Agency) {
			out = append(out, f.Agency)
		}
	}
	if len(out) == 0 {
		out = []string{""}
	}
	return out
}

// count adds complaint c to row r; agency, when set, limits the forwards
// counted to that agency's.
func (s *Service) count(r *StatsRow, c *cc112.Complaint, agency string, now time.Time) {
	r.Complaints++
	if len(c.Forwards) > 0 {
		r.Forwarded++
	}
	if c.Status == cc112.ComplaintClosed {
		r.Closed++
	}
	if c.EscalatedAt != nil {
		r.Escalated++
	}
	if c.RepeatOf != "" {
		r.Repeats++
	}
	switch c.Rating {
	case cc112.RatingSatisfied:
		r.Satisfied++
	case cc112.RatingNotSatisfied:
		r.NotSatisfied++
	}
	for _, f := range c.Forwards {
		if (agency != "" && f.Agency != agency) || f.Status == cc112.ForwardRejected {
			continue
		}
		switch {
		case f.RespondedAt != nil:
			r.ForwardsDue++
			if f.RespondedAt.Sub(f.ForwardedAt) <= s.cfg.ResponseSLA {
				r.AnsweredInSLA++
			}
		case !now.Before(f.ResponseDueAt):
			r.ForwardsDue++
		}
	}
	due := c.ReceivedAt.Add(s.cfg.FeedbackSLA)
	switch {
	case c.FeedbackAt != nil:
		r.FeedbackDue++
		if !c.FeedbackAt.After(due) {
			r.FeedbackInSLA++
		}
	case !now.Before(due):
		r.FeedbackDue++
	}
}

func sortedStats(m map[string]*StatsRow) []StatsRow {
	out := make([]StatsRow, 0, len(m))
	for _, r := range m {
		r.AnsweredShare, r.FeedbackShare = share(r.AnsweredInSLA, r.ForwardsDue), share(r.FeedbackInSLA, r.FeedbackDue)
		out = append(out, *r)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Complaints != out[b].Complaints {
			return out[a].Complaints > out[b].Complaints
		}
		return out[a].Key < out[b].Key
	})
	return out
}

func share(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	v := float64(n) / float64(of)
	return &v
}

// Public is the statistics without anything that could point at a person:
// no locations of repeated places (their kelurahan stays).
func (st *Stats) Public() *Stats {
	v := *st
	v.Repeats = make([]RepeatPlace, len(st.Repeats))
	for i, r := range st.Repeats {
		r.Location = nil
		v.Repeats[i] = r
	}
	return &v
}
