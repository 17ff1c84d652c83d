package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/bolt"
	"cc112/dispatch"
	"cc112/internal/testenv"
	"cc112/kpi"
	"cc112/ui"
)

// testServer is a real dispatchd stack on an embedded journal with the
// response-time index and access control, and a supervisor's token.
type testServer struct {
	*httptest.Server
	token string
}

func newServer(t *testing.T) (*testServer, *dispatch.Engine) {
	t.Helper()
	j, err := bolt.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	idx := kpi.NewIndex(cc112.WIB)
	accounts := auth.New(auth.Config{Hash: auth.HashParams{Memory: 64, Time: 1, Threads: 1}})
	ctx := context.Background()
	eng, err := dispatch.New(ctx, dispatch.Config{Journal: j,
		OnIncident: func(inc *cc112.Incident) { idx.Put(kpi.FromIncident(inc)) }}, accounts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(accounts.Close)
	sup := auth.NewUser{Username: "sup", Password: "supervisor-112", Role: auth.Supervisor}
	if _, err := accounts.AddUser(ctx, sup, "", "", auth.Principal{}, ""); err != nil {
		t.Fatal(err)
	}
	sess, err := accounts.Login(ctx, sup.Username, sup.Password, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ui.NewServer(ui.Config{Engine: eng, Metrics: idx, DistrictsGeoJSON: []byte(`{}`), Auth: accounts}))
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, token: sess.Token}, eng
}

func importFile(t *testing.T, srv *testServer, preset, file string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-preset", preset, "-post", srv.URL, "-token", srv.token, "-chunk", "1000", testenv.SharedData(t, file)}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("importcsv: %v\n%s", err, stderr.String())
	}
	return stderr.String()
}

// get is a GET with the supervisor's token.
func (srv *testServer) get(t *testing.T, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func getReport(t *testing.T, srv *testServer, path string) kpi.Report {
	t.Helper()
	res := srv.get(t, path)
	var rep kpi.Report
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// -post needs a supervisor's or admin's token, from -token or
// DISPATCH_TOKEN; without one the error says how to give it.
func TestPostNeedsToken(t *testing.T) {
	srv, eng := newServer(t)
	file := testenv.SharedData(t, "sumenep_cc112_incidents_2021_2023.csv")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-preset", "sumenep", "-post", srv.URL, file}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "-token") {
		t.Fatalf("without a token: %v, want the 401 and how to give a token", err)
	}
	if eng.ImportedCount() != 0 {
		t.Fatalf("%d incidents imported without a token", eng.ImportedCount())
	}
	t.Setenv("DISPATCH_TOKEN", srv.token)
	stderr.Reset()
	if err := run(context.Background(), []string{"-preset", "sumenep", "-post", srv.URL, file}, &stdout, &stderr); err != nil {
		t.Fatalf("with DISPATCH_TOKEN: %v\n%s", err, stderr.String())
	}
	if eng.ImportedCount() != 213 {
		t.Fatalf("%d incidents imported with DISPATCH_TOKEN, want 213", eng.ImportedCount())
	}
}

// TestSFImportMatchesIndependentCount imports the real SFFD export and
// checks the server's response-time figures against a computation done
// here from the CSV directly: group the unit rows by incident, first call
// received to first unit on scene, nearest rank by sorting.
func TestSFImportMatchesIndependentCount(t *testing.T) {
	file := "sf_fire_calls_for_service_dec2016_sample.csv"
	srv, eng := newServer(t)
	log := importFile(t, srv, "sf", file)
	if !strings.Contains(log, "server: imported 3560, skipped 0 (already imported), rejected 0") {
		t.Fatalf("import log:\n%s", log)
	}

	// The independent computation.
	f, err := os.Open(testenv.SharedData(t, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	pacific, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	colOf := func(name string) int { return slices.Index(rows[0], name) }
	cID, cRecv, cEntry, cOn := colOf("Incident Number"), colOf("Received DtTm"), colOf("Entry DtTm"), colOf("On Scene DtTm")
	parse := func(v string) (time.Time, bool) {
		if v == "" {
			return time.Time{}, false
		}
		tm, err := time.ParseInLocation("01/02/2006 03:04:05 PM", v, pacific)
		if err != nil {
			t.Fatalf("parse %q: %v", v, err)
		}
		return tm, true
	}
	type inc struct{ recv, entry, on time.Time }
	incs := map[string]*inc{}
	for _, r := range rows[1:] {
		x := incs[r[cID]]
		if x == nil {
			x = &inc{}
			incs[r[cID]] = x
		}
		if tm, ok := parse(r[cRecv]); ok && (x.recv.IsZero() || tm.Before(x.recv)) {
			x.recv = tm
		}
		if tm, ok := parse(r[cEntry]); ok && (x.entry.IsZero() || tm.Before(x.entry)) {
			x.entry = tm
		}
		if tm, ok := parse(r[cOn]); ok && (x.on.IsZero() || tm.Before(x.on)) {
			x.on = tm
		}
	}
	var resp []float64
	missing, backwards := 0, 0
	for _, x := range incs {
		switch {
		case x.on.IsZero():
			missing++
		case x.on.Before(x.recv):
			backwards++
		default:
			resp = append(resp, x.on.Sub(x.recv).Seconds())
		}
	}
	slices.Sort(resp)
	nearest := func(p float64) float64 { return resp[int(math.Ceil(p*float64(len(resp))-1e-9))-1] }
	sum, within := 0.0, 0
	for _, v := range resp {
		sum += v
		if v <= 444 {
			within++
		}
	}

	rep := getReport(t, srv, "/api/v1/metrics/response")
	o := rep.Overall
	t.Logf("SF: %d incidents, %d with response, %d missing, %d out of order; P50 %.0f s, P90 %.0f s, mean %.1f s, within 444 s %.3f",
		o.Count, o.WithResponse, o.Missing, o.OutOfOrder, o.P50, o.P90, o.Mean, o.WithinTarget)
	if o.Count != len(incs) || o.WithResponse != len(resp) || o.Missing != missing || o.OutOfOrder != backwards {
		t.Errorf("counts %d/%d/%d/%d, want %d/%d/%d/%d", o.Count, o.WithResponse, o.Missing, o.OutOfOrder,
			len(incs), len(resp), missing, backwards)
	}
	if o.P50 != nearest(0.5) || o.P90 != nearest(0.9) {
		t.Errorf("P50/P90 = %v/%v, want %v/%v", o.P50, o.P90, nearest(0.5), nearest(0.9))
	}
	if math.Abs(o.Mean-sum/float64(len(resp))) > 0.001 || math.Abs(o.WithinTarget-float64(within)/float64(len(resp))) > 0.001 {
		t.Errorf("mean/within = %v/%v, want %v/%v", o.Mean, o.WithinTarget, sum/float64(len(resp)), float64(within)/float64(len(resp)))
	}
	if eng.ImportedCount() != len(incs) {
		t.Errorf("engine holds %d imported, want %d", eng.ImportedCount(), len(incs))
	}

	// Each incident keeps its own fields: the call's answer (Received) as
	// call_received_at, where the response clock starts, and its entry in
	// CAD (Entry) as received_at.
	seen, q := 0, dispatch.IncidentQuery{Status: "closed", Limit: dispatch.MaxPageSize}
	for {
		page, err := eng.SearchIncidents(context.Background(), q, cc112.Everyone)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range page.Items {
			x := incs[strings.TrimPrefix(got.Number, "SF-")]
			if x == nil || got.CallReceivedAt == nil || !got.CallReceivedAt.Equal(x.recv) || !got.ReceivedAt.Equal(x.entry) {
				t.Fatalf("%s: call_received_at %v received_at %v, want %+v", got.Number, got.CallReceivedAt, got.ReceivedAt, x)
			}
			seen++
		}
		if q.Cursor = page.NextCursor; q.Cursor == "" {
			break
		}
	}
	if seen != len(incs) {
		t.Errorf("%d incidents checked, want %d", seen, len(incs))
	}

	// Importing the file again adds nothing.
	if log := importFile(t, srv, "sf", file); !strings.Contains(log, "server: imported 0, skipped 3560") {
		t.Errorf("second import:\n%s", log)
	}
}

func TestSumenepImportReportsDirtyRows(t *testing.T) {
	srv, _ := newServer(t)
	log := importFile(t, srv, "sumenep", "sumenep_cc112_incidents_2021_2023.csv")
	for _, id := range []string{"SMP-324", "SMP-381", "SMP-514", "SMP-520"} {
		if !strings.Contains(log, id+": finished_at") {
			t.Errorf("closed-before-received row %s not reported:\n%s", id, log)
		}
	}
	if !strings.Contains(log, "4 closed before received") || !strings.Contains(log, "server: imported 213, skipped 0 (already imported), rejected 0") {
		t.Errorf("summary:\n%s", log)
	}
	rep := getReport(t, srv, "/api/v1/metrics/response?group_by=agency")
	// No arrival times in this log: every incident counted, all missing.
	if rep.Overall.Count != 213 || rep.Overall.Missing != 213 || rep.Overall.WithResponse != 0 {
		t.Errorf("overall %+v", rep.Overall.Figures)
	}
	agencies := map[string]int{}
	for _, g := range rep.Groups {
		agencies[g.Key] = g.Count
	}
	if agencies["damkar"] != 100 || agencies["satpolpp"] != 48 || agencies["dinkes"] != 31 || agencies["bpbd"] != 25 {
		t.Errorf("agencies %v", agencies)
	}
	res := srv.get(t, "/api/v1/metrics/incidents.csv")
	table, _ := csv.NewReader(res.Body).ReadAll()
	flagged := 0
	for _, r := range table[1:] {
		if strings.Contains(r[len(r)-1], "closed_before_received") {
			flagged++
		}
	}
	if flagged != 4 {
		t.Errorf("%d rows flagged closed_before_received in the CSV export, want 4", flagged)
	}
}

func TestConvertReportsBadRows(t *testing.T) {
	in := "id,kind,lat,lon,at\n" +
		"1,KEBAKARAN,-7.2,112.7,2024-01-01T10:00:00Z\n" +
		"2,BANJIR,-7.2,112.7,yesterday\n" +
		"3,KEBAKARAN,north,112.7,2024-01-01T10:00:00Z\n" +
		"4,GEMPA,-7.2,112.7,2024-01-01T11:00:00Z\n" +
		",KEBAKARAN,-7.2,112.7,2024-01-01T11:00:00Z\n"
	m := &Mapping{ExternalID: "id", Category: "kind", Lat: "lat", Lon: "lon", ReceivedAt: "at", TimeLayout: time.RFC3339,
		Zone: time.UTC, DefaultCategory: cc112.CatOther, Categories: map[string]cc112.Category{"KEBAKARAN": cc112.CatFire, "BANJIR": cc112.CatFlood}}
	rep := &recordingReporter{}
	var got []dispatch.ImportedIncident
	st, err := convert(strings.NewReader(in), m, rep, func(i *dispatch.ImportedIncident) error { got = append(got, *i); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows != 5 || st.BadRows != 3 || len(got) != 2 || got[1].Category != cc112.CatOther || st.Unmapped["category GEMPA"] != 1 {
		t.Errorf("stats %+v, incidents %+v", st, got)
	}
	if want := []int{3, 4, 6}; !slices.Equal(rep.rows, want) {
		t.Errorf("reported rows %v, want %v (%v)", rep.rows, want, rep.msgs)
	}
	if _, err := convert(strings.NewReader("a,b\n1,2\n"), m, rep, nil); err == nil {
		t.Error("missing columns accepted")
	}
}

type recordingReporter struct {
	rows []int
	msgs []string
}

func (r *recordingReporter) Warn(row int, msg string) {
	r.rows = append(r.rows, row)
	r.msgs = append(r.msgs, msg)
}

func (r *recordingReporter) Progress(int) {}

// FuzzConvert feeds arbitrary CSV to the sumenep mapping: no panic, the
// counts agree, every incident can be sent (the server validates it).
func FuzzConvert(f *testing.F) {
	head := "id,lat,lon,alamat,desa,kecamatan,kejadian,opd_terkait,received_at,finished_at,duration_min,approved\n"
	f.Add([]byte(head + "5,-7.03,113.77,Jl. X,D,K,KEBAKARAN,PEMADAM KEBAKARAN,2021-08-20T07:15:00,2021-08-20T12:00:00,285.0,1\n"))
	f.Add([]byte(head + "6,x,y,,,,,,,,,\n\"unterminated\n"))
	f.Add([]byte(head + "7,-7,113,a,b,c,BANJIR,PLN,2021-08-20T07:15:00,2020-01-01T00:00:00,1,1\n7,-7,113,a,b,c,BANJIR,PLN,2021-08-20T07:15:00,,1,1\n"))
	m, err := sumenepPreset()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rep := &recordingReporter{}
		n := 0
		st, err := convert(bytes.NewReader(data), m, rep, func(i *dispatch.ImportedIncident) error {
			n++
			_, err := json.Marshal(i)
			return err
		})
		if err != nil {
			return // no header, or a reader error: said so
		}
		if st.Incidents != n || st.Rows < st.BadRows {
			t.Fatalf("stats %+v, %d incidents", st, n)
		}
	})
}
