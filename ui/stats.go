package ui

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"cc112"
	"cc112/callcenter"
)

// The Media Center's statistics: the supervisors' (with the points of
// repeated places) and the public's (counts only), as JSON or CSV.

// statsQuery reads from, to (RFC 3339 or a WIB date; default the 30 days
// up to now) and group_by.
func (s *Server) statsQuery(r *http.Request) (*callcenter.Stats, error) {
	q := r.URL.Query()
	from, err := timeParam(q.Get("from"), "from")
	if err != nil {
		return nil, err
	}
	to, err := timeParam(q.Get("to"), "to")
	if err != nil {
		return nil, err
	}
	if to.IsZero() {
		to = s.eng.Clock().Now()
	}
	if from.IsZero() {
		from = to.Add(-30 * 24 * time.Hour)
	}
	return s.calls.Stats(from, to, q.Get("group_by"))
}

func (s *Server) complaintStats(public bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.needCalls(w, r) || (public && !s.publicAllowed(w, r)) {
			return
		}
		st, err := s.statsQuery(r)
		if err == nil && r.URL.Query().Get("format") != "" && r.URL.Query().Get("format") != "csv" && r.URL.Query().Get("format") != "json" {
			err = cc112.Errorf(cc112.EInvalid, "format must be json or csv")
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if public {
			st = st.Public()
		}
		if r.URL.Query().Get("format") == "csv" {
			writeStatsCSV(w, st)
			return
		}
		writeJSON(w, http.StatusOK, st)
	}
}

// writeStatsCSV writes the rows of the grouping, then every agency's SLA
// record, one table with the grouping in its first column.
func writeStatsCSV(w http.ResponseWriter, st *callcenter.Stats) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="complaints-`+st.GroupBy+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"group_by", "key", "complaints", "forwarded", "closed", "escalated", "repeats",
		"forwards_due", "answered_in_sla", "answered_share", "feedback_due", "feedback_in_sla", "feedback_share",
		"satisfied", "not_satisfied", "from", "to"})
	write := func(group string, rows []callcenter.StatsRow) {
		for _, r := range rows {
			_ = cw.Write([]string{group, r.Key, strconv.Itoa(r.Complaints), strconv.Itoa(r.Forwarded), strconv.Itoa(r.Closed), strconv.Itoa(r.Escalated),
				strconv.Itoa(r.Repeats), strconv.Itoa(r.ForwardsDue), strconv.Itoa(r.AnsweredInSLA), shareText(r.AnsweredShare), strconv.Itoa(r.FeedbackDue),
				strconv.Itoa(r.FeedbackInSLA), shareText(r.FeedbackShare), strconv.Itoa(r.Satisfied), strconv.Itoa(r.NotSatisfied),
				st.From.Format(time.RFC3339), st.To.Format(time.RFC3339)})
		}
	}
	write(st.GroupBy, st.Rows)
	if st.GroupBy != "agency" {
		write("agency", st.Agencies)
	}
	cw.Flush()
}

func shareText(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', 4, 64)
}
