// Command importcsv turns a CSV export of a dispatch center into the NDJSON
// of POST /api/v1/import/incidents, and writes it to stdout or posts it to
// a dispatchd. Rows it leaves out and dirty rows it keeps are reported on
// stderr by row number; progress too.
//
//	importcsv -preset sf ../shared/data/sf_fire_calls_for_service_dec2016_sample.csv > sf.ndjson
//	DISPATCH_TOKEN=$TOKEN importcsv -preset sumenep -post http://127.0.0.1:8080 ../shared/data/sumenep_cc112_incidents_2021_2023.csv
//	importcsv -map external_id=id,category=kejadian,lat=lat,lon=lon,received_at=received_at -layout "2006-01-02T15:04:05" \
//	    -categories "KEBAKARAN=fire,BANJIR=flood" -tz Asia/Jakarta ../shared/data/sumenep_cc112_incidents_2021_2023.csv
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"
	_ "time/tzdata" // the presets' zones, whatever the host has installed

	"cc112"
	"cc112/dispatch"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "importcsv:", err)
		os.Exit(1)
	}
}

// stderrReporter prints warnings (the first maxWarn in full) and progress.
type stderrReporter struct {
	w      io.Writer
	shown  int
	hidden int
}

const maxWarn = 200

func (r *stderrReporter) Warn(row int, msg string) {
	if r.shown < maxWarn {
		r.shown++
		fmt.Fprintf(r.w, "importcsv: row %d: %s\n", row, msg)
		return
	}
	r.hidden++
}

func (r *stderrReporter) Progress(rows int) { fmt.Fprintf(r.w, "importcsv: %d rows read\n", rows) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("importcsv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	preset := fs.String("preset", "", "a mapping of a known export: sf (SFFD calls for service) or sumenep (Sumenep 112 log)")
	cols := fs.String("map", "", "field=column pairs overriding the preset: external_id, category, priority, location, lat, lon, district, address, received_at, call_received_at, closed_at, callsign, unit_type, dispatched_at, enroute_at, onscene_at, cleared_at")
	cats := fs.String("categories", "", "VALUE=category pairs added to the preset's table, e.g. \"KEBAKARAN=fire,BANJIR=flood\"")
	units := fs.String("unit-types", "", "VALUE=type/agency pairs added to the preset's table, e.g. \"PUSKESMAS=ambulance/dinkes\"")
	layout := fs.String("layout", "", "Go time layout of the time columns (default the preset's, else RFC 3339)")
	tz := fs.String("tz", "", "zone of the times, e.g. Asia/Jakarta (default the preset's, else UTC)")
	prefix := fs.String("id-prefix", "", "put before every external id (default the preset's)")
	post := fs.String("post", "", "dispatchd base URL to post to, e.g. http://127.0.0.1:8080 (default: NDJSON on stdout)")
	chunk := fs.Int("chunk", 20000, "incidents per POST request")
	token := fs.String("token", "", "a supervisor's or admin's token for -post, from POST /api/v1/login (env DISPATCH_TOKEN, which keeps it out of the process list)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: importcsv [flags] FILE.csv   (FILE - reads stdin)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *token == "" {
		*token = os.Getenv("DISPATCH_TOKEN")
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("one CSV file is required")
	}
	m := &Mapping{TimeLayout: time.RFC3339, Zone: time.UTC, DefaultCategory: cc112.CatOther}
	if *preset != "" {
		mk, ok := presets[*preset]
		if !ok {
			return fmt.Errorf("-preset must be sf or sumenep, not %q", *preset)
		}
		var err error
		if m, err = mk(); err != nil {
			return err
		}
	}
	if err := m.override(*cols, *cats, *units, *layout, *tz, *prefix); err != nil {
		return err
	}
	if m.ExternalID == "" || m.ReceivedAt == "" || m.Category == "" || (m.Location == "" && (m.Lat == "" || m.Lon == "")) {
		return fmt.Errorf("the mapping needs external_id, category, received_at and location (or lat and lon): use -preset or -map")
	}
	in := io.Reader(os.Stdin)
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	rep := &stderrReporter{w: stderr}
	var sink incidentSink = &ndjsonSink{w: bufio.NewWriterSize(stdout, 1<<16)}
	if *post != "" {
		sink = &postSink{ctx: ctx, url: strings.TrimRight(*post, "/") + "/api/v1/import/incidents", chunk: max(1, *chunk), log: stderr, token: *token}
	}
	st, err := convert(in, m, rep, sink.add)
	if err == nil {
		err = sink.close()
	}
	if rep.hidden > 0 {
		fmt.Fprintf(stderr, "importcsv: %d more warnings not shown\n", rep.hidden)
	}
	if st != nil {
		fmt.Fprintf(stderr, "importcsv: %d rows, %d incidents, %d rows left out, %d dirty rows kept (%d closed before received)\n",
			st.Rows, st.Incidents, st.BadRows, st.Warnings, st.ClosedEarl)
		for v, n := range st.Unmapped {
			fmt.Fprintf(stderr, "importcsv: %s not in the mapping (%d rows): became %s or was left out as said above\n", v, n, m.DefaultCategory)
		}
	}
	if s, ok := sink.(*postSink); ok && err == nil {
		fmt.Fprintf(stderr, "importcsv: server: imported %d, skipped %d (already imported), rejected %d\n", s.total.Imported, s.total.Skipped, s.total.Rejected)
	}
	return err
}

// override applies the flags over the preset.
func (m *Mapping) override(cols, cats, units, layout, tz, prefix string) error {
	fields := map[string]*string{
		"external_id": &m.ExternalID, "category": &m.Category, "priority": &m.Priority, "location": &m.Location,
		"lat": &m.Lat, "lon": &m.Lon, "district": &m.District, "address": &m.Address, "received_at": &m.ReceivedAt, "call_received_at": &m.CallReceivedAt,
		"closed_at": &m.ClosedAt, "callsign": &m.Callsign, "unit_type": &m.UnitType, "dispatched_at": &m.DispatchedAt,
		"enroute_at": &m.EnrouteAt, "onscene_at": &m.OnsceneAt, "cleared_at": &m.ClearedAt,
	}
	for f, c := range pairs(cols) {
		dst, ok := fields[f]
		if !ok {
			return fmt.Errorf("-map: unknown field %q", f)
		}
		*dst = c
	}
	if m.Categories == nil {
		m.Categories = map[string]cc112.Category{}
	}
	for v, c := range pairs(cats) {
		m.Categories[key(v)] = cc112.Category(c)
	}
	if m.UnitTypes == nil {
		m.UnitTypes = map[string]UnitKind{}
	}
	for v, ta := range pairs(units) {
		typ, agency, _ := strings.Cut(ta, "/")
		if !cc112.UnitType(typ).Valid() {
			return fmt.Errorf("-unit-types: %q is not a unit type", typ)
		}
		m.UnitTypes[key(v)] = UnitKind{Type: cc112.UnitType(typ), Agency: agency}
	}
	if layout != "" {
		m.TimeLayout = layout
	}
	if tz != "" {
		z, err := time.LoadLocation(tz)
		if err != nil {
			return fmt.Errorf("-tz: %w", err)
		}
		m.Zone = z
	}
	if prefix != "" {
		m.IDPrefix = prefix
	}
	return m.valid()
}

// pairs splits "a=b,c=d".
func pairs(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

type incidentSink interface {
	add(*dispatch.ImportedIncident) error
	close() error
}

// ndjsonSink writes one JSON incident per line.
type ndjsonSink struct {
	w *bufio.Writer
}

func (s *ndjsonSink) add(inc *dispatch.ImportedIncident) error {
	b, err := json.Marshal(inc)
	if err != nil {
		return err
	}
	s.w.Write(b)
	return s.w.WriteByte('\n')
}

func (s *ndjsonSink) close() error { return s.w.Flush() }

// importAnswer is the server's answer to one POST.
type importAnswer struct {
	Imported int `json:"imported"`
	Skipped  int `json:"skipped"`
	Rejected int `json:"rejected"`
	Errors   []struct {
		Line    int    `json:"line"`
		Message string `json:"message"`
	} `json:"errors"`
}

// postSink posts the incidents in chunks, printing progress and the
// server's rejections with the incident's external id.
type postSink struct {
	ctx   context.Context
	url   string
	token string
	chunk int
	log   io.Writer
	buf   bytes.Buffer
	ids   []string
	sent  int
	total importAnswer
}

func (s *postSink) add(inc *dispatch.ImportedIncident) error {
	b, err := json.Marshal(inc)
	if err != nil {
		return err
	}
	s.buf.Write(b)
	s.buf.WriteByte('\n')
	s.ids = append(s.ids, inc.ExternalID)
	if len(s.ids) >= s.chunk {
		return s.flush()
	}
	return nil
}

func (s *postSink) close() error {
	if len(s.ids) == 0 {
		return nil
	}
	return s.flush()
}

func (s *postSink) flush() error {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.url, bytes.NewReader(s.buf.Bytes()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("post: %w", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
		return fmt.Errorf("server answered %s: %s: give a supervisor's or admin's token with -token or DISPATCH_TOKEN (POST /api/v1/login answers one)",
			res.Status, bytes.TrimSpace(body))
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("server answered %s: %s (incidents before this chunk were imported; running again skips them)", res.Status, bytes.TrimSpace(body))
	}
	var a importAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("server answer: %w", err)
	}
	for _, e := range a.Errors {
		id := "?"
		if e.Line >= 1 && e.Line <= len(s.ids) {
			id = s.ids[e.Line-1]
		}
		fmt.Fprintf(s.log, "importcsv: server rejected %s: %s\n", id, e.Message)
	}
	s.total.Imported += a.Imported
	s.total.Skipped += a.Skipped
	s.total.Rejected += a.Rejected
	s.sent += len(s.ids)
	fmt.Fprintf(s.log, "importcsv: %d incidents posted (imported %d, skipped %d, rejected %d so far)\n",
		s.sent, s.total.Imported, s.total.Skipped, s.total.Rejected)
	s.buf.Reset()
	s.ids = s.ids[:0]
	return nil
}
