package callcenter

import (
	"sort"
	"time"

	"cc112"
)

// Report counts complaints per agency and per category over time: which
// agencies and topics receive most complaints, the basis for policy.
type Report struct {
	From     time.Time   `json:"from"`
	To       time.Time   `json:"to"`
	Bucket   string      `json:"bucket"`  // day or week (WIB)
	Buckets  []string    `json:"buckets"` // the start date of each bucket, YYYY-MM-DD
	Total    int         `json:"total"`
	Agency   []ReportRow `json:"agency"`   // "" is not forwarded yet
	Category []ReportRow `json:"category"` // by complaint category
}

// ReportRow is one agency's or category's counts, most complaints first.
type ReportRow struct {
	Key       string `json:"key"`
	Total     int    `json:"total"`
	Escalated int    `json:"escalated"` // response SLA missed
	Series    []int  `json:"series"`    // per bucket
}

// maxBuckets bounds a report's series.
const maxBuckets = 400

// Report counts the complaints received in [from, to).
func (s *Service) Report(from, to time.Time, bucket string) (*Report, error) {
	if bucket == "" {
		bucket = "day"
	}
	step := 24 * time.Hour
	switch bucket {
	case "day":
	case "week":
		step = 7 * 24 * time.Hour
	default:
		return nil, cc112.Errorf(cc112.EInvalid, "bucket must be day or week, got %q", bucket)
	}
	// Buckets start at WIB midnight.
	start := cc112.WIBMidnight(from)
	if !to.After(from) {
		return nil, cc112.Errorf(cc112.EInvalid, "to must be after from")
	}
	n := int((to.Sub(start) + step - 1) / step)
	if n > maxBuckets {
		return nil, cc112.Errorf(cc112.EInvalid, "the range has %d %ss; at most %d", n, bucket, maxBuckets)
	}
	r := &Report{From: from, To: to, Bucket: bucket, Buckets: make([]string, n), Agency: []ReportRow{}, Category: []ReportRow{}}
	for i := range r.Buckets {
		r.Buckets[i] = start.Add(time.Duration(i) * step).Format("2006-01-02")
	}
	agencies, cats := map[string]*ReportRow{}, map[string]*ReportRow{}
	row := func(m map[string]*ReportRow, key string) *ReportRow {
		if m[key] == nil {
			m[key] = &ReportRow{Key: key, Series: make([]int, n)}
		}
		return m[key]
	}
	s.eng.Read(func() {
		for _, c := range s.complaints {
			if c.ReceivedAt.Before(from) || !c.ReceivedAt.Before(to) {
				continue
			}
			i := int(c.ReceivedAt.Sub(start) / step)
			r.Total++
			for _, rr := range []*ReportRow{row(agencies, c.Agency), row(cats, c.Category)} {
				rr.Total++
				rr.Series[i]++
				if c.EscalatedAt != nil {
					rr.Escalated++
				}
			}
		}
	})
	r.Agency, r.Category = sortedRows(agencies), sortedRows(cats)
	return r, nil
}

func sortedRows(m map[string]*ReportRow) []ReportRow {
	out := make([]ReportRow, 0, len(m))
	for _, r := range m {
		out = append(out, *r)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Total != out[b].Total {
			return out[a].Total > out[b].Total
		}
		return out[a].Key < out[b].Key
	})
	return out
}
