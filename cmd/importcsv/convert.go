package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/geo"
)

// Stats is what a conversion saw.
type Stats struct {
	Rows       int // data rows read
	Incidents  int // incidents emitted
	BadRows    int // rows left out, each reported
	Warnings   int // rows kept but reported (dirty data)
	Unmapped   map[string]int
	ClosedEarl int // incidents closed before they were received
}

// Reporter receives what a conversion wants the user to know.
type Reporter interface {
	// Warn reports a row kept with dirty data, or a row left out.
	Warn(row int, msg string)
	// Progress is called now and then with the rows read so far.
	Progress(rows int)
}

type builder struct {
	inc      dispatch.ImportedIncident
	firstRow int
}

var latLon = regexp.MustCompile(`^\(?\s*(-?[0-9.]+)\s*,\s*(-?[0-9.]+)\s*\)?$`)

// convert reads a CSV with a header row and calls emit with each incident,
// in the order of their first row.
func convert(r io.Reader, m *Mapping, rep Reporter, emit func(*dispatch.ImportedIncident) error) (*Stats, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read the header: %w", err)
	}
	col := map[string]int{}
	for k, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = k
	}
	for _, c := range m.columns() {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("column %q is not in the header (%s)", c, strings.Join(header, ", "))
		}
	}
	st := &Stats{Unmapped: map[string]int{}}
	groups := map[string]*builder{}
	var order []*builder
	row := 1 // the header is row 1, as a spreadsheet counts
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		row++
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				st.Rows++
				st.BadRows++
				rep.Warn(row, "not valid CSV, left out: "+pe.Err.Error())
				continue
			}
			return st, err
		}
		st.Rows++
		if st.Rows%10000 == 0 {
			rep.Progress(st.Rows)
		}
		get := func(c string) string {
			if c == "" || col[c] >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[col[c]])
		}
		if err := m.addRow(get, row, groups, &order, st, rep); err != nil {
			st.BadRows++
			rep.Warn(row, err.Error()+": row left out")
		}
	}
	rep.Progress(st.Rows)
	for _, b := range order {
		m.finish(b, st, rep)
		st.Incidents++
		if err := emit(&b.inc); err != nil {
			return st, err
		}
	}
	return st, nil
}

// columns lists the columns the mapping reads.
func (m *Mapping) columns() []string {
	var out []string
	for _, c := range []string{m.ExternalID, m.Category, m.Priority, m.Location, m.Lat, m.Lon, m.District, m.Address,
		m.ReceivedAt, m.CallReceivedAt, m.ClosedAt, m.Callsign, m.UnitType, m.DispatchedAt, m.EnrouteAt, m.OnsceneAt, m.ClearedAt} {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

func (m *Mapping) time(get func(string) string, c string) (*time.Time, error) {
	v := get(c)
	if v == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(m.TimeLayout, v, m.Zone)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a time like %q", c, v, m.TimeLayout)
	}
	t = t.UTC()
	return &t, nil
}

func (m *Mapping) addRow(get func(string) string, row int, groups map[string]*builder, order *[]*builder, st *Stats, rep Reporter) error {
	id := get(m.ExternalID)
	if id == "" {
		return fmt.Errorf("%s is empty", m.ExternalID)
	}
	recv, err := m.time(get, m.ReceivedAt)
	if err != nil {
		return err
	}
	closed, err := m.time(get, m.ClosedAt)
	if err != nil {
		return err
	}
	var call *time.Time
	if m.CallReceivedAt != "" {
		if call, err = m.time(get, m.CallReceivedAt); err != nil {
			return err
		}
	}
	b := groups[id]
	if b == nil {
		if recv == nil {
			return fmt.Errorf("%s is empty", m.ReceivedAt)
		}
		loc, err := m.location(get)
		if err != nil {
			return err
		}
		cat, ok := m.Categories[key(get(m.Category))]
		if !ok {
			cat = m.DefaultCategory
			st.Unmapped["category "+get(m.Category)]++
		}
		prio := 2
		if p, ok := m.Priorities[key(get(m.Priority))]; ok {
			prio = p
		}
		b = &builder{firstRow: row, inc: dispatch.ImportedIncident{
			ExternalID: m.IDPrefix + id, Category: cat, Priority: prio, Location: &loc,
			Address: truncate(get(m.Address), 300), ReceivedAt: recv, Units: []dispatch.ImportedUnit{},
		}}
		if m.District != "" {
			d := get(m.District)
			b.inc.District = &d
		}
		groups[id] = b
		*order = append(*order, b)
	}
	inc := &b.inc
	if recv != nil && recv.Before(*inc.ReceivedAt) {
		inc.ReceivedAt = recv // several calls about one incident: the first counts
	}
	if call != nil && (inc.CallReceivedAt == nil || call.Before(*inc.CallReceivedAt)) {
		inc.CallReceivedAt = call
	}
	if closed != nil && (inc.ClosedAt == nil || closed.After(*inc.ClosedAt)) {
		inc.ClosedAt = closed
	}
	if m.Callsign == "" || get(m.Callsign) == "" {
		return nil
	}
	kind, ok := m.UnitTypes[key(get(m.UnitType))]
	if !ok {
		st.Unmapped["unit type "+get(m.UnitType)]++
		st.Warnings++
		rep.Warn(row, fmt.Sprintf("unit %s has the unknown type %q: incident kept without this unit", get(m.Callsign), get(m.UnitType)))
		return nil
	}
	u := dispatch.ImportedUnit{Callsign: truncate(get(m.Callsign), 200), Type: kind.Type, Agency: kind.Agency}
	for _, f := range []struct {
		col string
		dst **time.Time
	}{{m.DispatchedAt, &u.DispatchedAt}, {m.EnrouteAt, &u.EnrouteAt}, {m.OnsceneAt, &u.OnsceneAt}, {m.ClearedAt, &u.ClearedAt}} {
		if f.col == "" {
			continue
		}
		if *f.dst, err = m.time(get, f.col); err != nil {
			return err
		}
	}
	inc.Units = append(inc.Units, u)
	return nil
}

func (m *Mapping) location(get func(string) string) (geo.Point, error) {
	var la, lo string
	if m.Location != "" {
		mm := latLon.FindStringSubmatch(get(m.Location))
		if mm == nil {
			return geo.Point{}, fmt.Errorf("%s %q is not \"(lat, lon)\"", m.Location, get(m.Location))
		}
		la, lo = mm[1], mm[2]
	} else {
		la, lo = get(m.Lat), get(m.Lon)
	}
	lat, err1 := strconv.ParseFloat(la, 64)
	lon, err2 := strconv.ParseFloat(lo, 64)
	p := geo.Point{Lat: lat, Lon: lon}
	if err1 != nil || err2 != nil || cc112.CheckPoint(p) != nil {
		return p, fmt.Errorf("location %q, %q is not a valid lat/lon", la, lo)
	}
	return p, nil
}

// finish reports an incident's dirty data, which is imported as it is: the
// server flags it (closed_before_received, out_of_order) in the metrics.
func (m *Mapping) finish(b *builder, st *Stats, rep Reporter) {
	inc := &b.inc
	if inc.ClosedAt != nil && inc.ClosedAt.Before(*inc.ReceivedAt) {
		st.ClosedEarl++
		st.Warnings++
		rep.Warn(b.firstRow, fmt.Sprintf("%s: %s %s is before %s %s; imported as is, flagged closed_before_received",
			inc.ExternalID, m.ClosedAt, inc.ClosedAt.In(m.Zone).Format(m.TimeLayout), m.ReceivedAt, inc.ReceivedAt.In(m.Zone).Format(m.TimeLayout)))
	}
	sort.SliceStable(inc.Units, func(a, c int) bool {
		x, y := inc.Units[a].DispatchedAt, inc.Units[c].DispatchedAt
		return x != nil && (y == nil || x.Before(*y))
	})
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// valid reports whether the mapping's categories exist.
func (m *Mapping) valid() error {
	plan := cc112.DefaultResponsePlan()
	for v, c := range m.Categories {
		if _, ok := plan[c]; !ok {
			return fmt.Errorf("category mapping %s=%s: unknown category", v, c)
		}
	}
	return nil
}
