package ui

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cc112"
	"cc112/kpi"
)

// metricsQuery reads from, to, category, agency, district and (when
// grouping is allowed) group_by. from and to are RFC 3339 times or WIB
// dates (YYYY-MM-DD); a date in to includes that whole day. Unknown
// parameters are refused so that a typo ("groupby") is not silently ignored.
func (s *Server) metricsQuery(q url.Values, grouping bool) (kpi.Query, error) {
	allowed := []string{"from", "to", "category", "agency", "district"}
	if grouping {
		allowed = append(allowed, "group_by")
	}
	if err := onlyParams(q, allowed...); err != nil {
		return kpi.Query{}, err
	}
	var mq kpi.Query
	var err error
	if mq.From, err = timeParam(q.Get("from"), "from"); err != nil {
		return mq, err
	}
	if mq.To, err = timeParam(q.Get("to"), "to"); err != nil {
		return mq, err
	}
	if len(q.Get("to")) == len(time.DateOnly) {
		mq.To = mq.To.AddDate(0, 0, 1) // a date in "to" includes that day
	}
	mq.GroupBy = q.Get("group_by")
	if c := q.Get("category"); c != "" {
		if !slices.Contains(s.eng.Categories(), cc112.Category(c)) {
			return mq, cc112.Errorf(cc112.EInvalid, "unknown category %q", c)
		}
		mq.Category = c
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"agency", &mq.Agency}, {"district", &mq.District}} {
		v := q.Get(f.name)
		if len(v) > 200 || !utf8.ValidString(v) {
			return mq, cc112.Errorf(cc112.EInvalid, "%s is not a valid name", f.name)
		}
		*f.dst = v
	}
	if err := mq.Validate(); err != nil {
		return mq, cc112.Errorf(cc112.EInvalid, "%v", err)
	}
	return mq, nil
}

func (s *Server) metricsIndex(w http.ResponseWriter, r *http.Request) *kpi.Index {
	if s.metrics == nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "response-time metrics are not enabled on this server"))
	}
	return s.metrics
}

// getResponseMetrics answers GET /api/v1/metrics/response.
func (s *Server) getResponseMetrics(w http.ResponseWriter, r *http.Request) {
	idx := s.metricsIndex(w, r)
	if idx == nil {
		return
	}
	q, err := s.metricsQuery(r.URL.Query(), true)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := idx.Report(r.Context(), q, s.set.Targets)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// csvHeader is the per-incident table of GET /api/v1/metrics/incidents.csv.
var csvHeader = []string{"number", "category", "priority", "district", "agencies", "received_at",
	"processing_s", "turnout_s", "travel_s", "response_s", "within_target", "flags"}

// getIncidentsCSV streams the per-incident table, oldest call first.
// Intervals that are missing, pending or out of order are left empty and
// named in flags; received_at is in WIB.
func (s *Server) getIncidentsCSV(w http.ResponseWriter, r *http.Request) {
	idx := s.metricsIndex(w, r)
	if idx == nil {
		return
	}
	q, err := s.metricsQuery(r.URL.Query(), false)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cw := csv.NewWriter(w)
	started := false
	start := func() { // with the first lines: until then an error is the answer
		started = true
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="incidents.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		_ = cw.Write(csvHeader)
	}
	row := make([]string, len(csvHeader))
	err = idx.Export(r.Context(), q, func(recs []kpi.Record) error {
		if !started {
			start()
		}
		for i := range recs {
			rec := &recs[i]
			row = append(row[:0], safeCell(rec.Number), rec.Category, strconv.Itoa(rec.Priority), safeCell(rec.District),
				safeCell(strings.Join(rec.Agencies, ";")), rec.ReceivedAt.In(cc112.WIB).Format(time.RFC3339))
			for _, v := range rec.Values {
				cell := ""
				if v.State == kpi.OK {
					cell = strconv.FormatFloat(v.Seconds, 'f', -1, 64)
				}
				row = append(row, cell)
			}
			within := ""
			if v := rec.Values[kpi.Response]; v.State == kpi.OK {
				within = strconv.FormatBool(v.Seconds <= s.set.Targets.ResponseFor(rec.Category).Seconds())
			}
			row = append(row, within, strings.Join(rec.Flags(), " "))
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
	switch {
	case err != nil && !started:
		s.writeError(w, r, err)
	case err != nil:
		// The export streams the archive: a page that cannot be read comes
		// after lines went out, and a clean end would pass a part of the
		// table for the whole. Aborted, the client sees a broken download.
		s.log.Debug("incidents.csv stopped", "err", err)
		panic(http.ErrAbortHandler)
	case !started: // nothing in the window: the header alone
		start()
		cw.Flush()
	}
}

// safeCell keeps imported text from being read as a formula by a
// spreadsheet (CSV injection).
func safeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
