package demo

import (
	"os"
	"strings"
	"testing"

	"cc112"
	"cc112/geo"
	"cc112/internal/testenv"
)

func TestLoadCameraCSV(t *testing.T) {
	d := districts()
	src := "name,lon,lat,rtsp_url,extra,cctv_id,area,sub_rtsp_url,kecamatan_pip\n" +
		"TUGU PAHLAWAN PTZ,112.7378,-7.2458,rtsp://cam/1,x,c1,PUSAT,rtsp://cam/1s,Somewhere\n" +
		"\"DARMO, BUNGKUL FIX\",112.7398,-7.2912,,y,c2,,,Wonokromo\n" +
		"OFFSHORE,112.9,-7.1,,,c3,,,Laut\n"
	cams, err := LoadCameraCSV(strings.NewReader(src), d)
	if err != nil {
		t.Fatal(err)
	}
	want := []cc112.Camera{
		{ID: "c1", Name: "TUGU PAHLAWAN PTZ", Area: "PUSAT", District: "Bubutan", Location: geo.Point{Lat: -7.2458, Lon: 112.7378},
			Status: cc112.CameraUnknown, HasVideo: true, RTSPURL: "rtsp://cam/1", SubRTSPURL: "rtsp://cam/1s"},
		{ID: "c2", Name: "DARMO, BUNGKUL FIX", District: "Wonokromo", Location: geo.Point{Lat: -7.2912, Lon: 112.7398}, Status: cc112.CameraUnknown},
		// Outside every district: the file's own kecamatan stays.
		{ID: "c3", Name: "OFFSHORE", District: "Laut", Location: geo.Point{Lat: -7.1, Lon: 112.9}, Status: cc112.CameraUnknown},
	}
	if len(cams) != len(want) {
		t.Fatalf("got %d cameras: %+v", len(cams), cams)
	}
	for i := range want {
		if cams[i] != want[i] {
			t.Errorf("camera %d:\n got %+v\nwant %+v", i, cams[i], want[i])
		}
	}
	// Without districts the file's kecamatan is used as is.
	cams, err = LoadCameraCSV(strings.NewReader(src), nil)
	if err != nil || cams[0].District != "Somewhere" {
		t.Fatalf("nil districts: %v %+v", err, cams)
	}
}

func TestLoadCameraCSVErrors(t *testing.T) {
	const header = "cctv_id,name,area,lat,lon,status_at_snapshot,kecamatan_pip,kelurahan_pip\n"
	const good = "c1,A,X,-7.25,112.74,online,Genteng,Ketabang\n"
	cases := []struct {
		name, src string
		want      []string // substrings of the error
	}{
		{"empty", "", []string{"no header"}},
		{"missing lat and lon", "cctv_id,name,latitude_x\nc1,A,1\n", []string{"header lacks", "lat, lon"}},
		{"missing id", "name,lat,lon\nA,-7.2,112.7\n", []string{"header lacks", "id"}},
		{"two id columns", "id,cctv_id,name,lat,lon\n", []string{"two id columns"}},
		{"bad lat", header + good + "c2,B,X,south,112.74,online,,\n", []string{"line 3", `camera "c2": lat`, "invalid syntax"}},
		{"lat out of range", header + good + "c2,B,X,-97.1,112.74,online,,\n", []string{"line 3", "out of range"}},
		{"NaN lon", header + "c2,B,X,-7.2,NaN,online,,\n", []string{"line 2", "lon", "out of range"}},
		{"duplicate id", header + good + good, []string{"line 3", `id "c1" already on line 2`}},
		{"empty id", header + ",B,X,-7.2,112.7,online,,\n", []string{"line 2", "empty id"}},
		{"no name", header + "c9,,X,-7.2,112.7,online,,\n", []string{"line 2", "empty name"}},
		{"short row", header + good + "c2,B\n", []string{"line 3", "wrong number of fields"}},
		{"bad quoting", header + good + "c2,\"B,X,-7.2\n", []string{"line 3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadCameraCSV(strings.NewReader(tc.src), nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestLoadCameraCSVSnapshot(t *testing.T) {
	f, err := os.Open(testenv.SharedData(t, "surabaya_cctv_lensamas_snapshot.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cams, err := LoadCameraCSV(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cams) != 444 {
		t.Fatalf("%d cameras, want 444", len(cams))
	}
	for _, c := range cams {
		if c.Status != cc112.CameraUnknown || c.HasVideo || !strings.HasPrefix(c.ID, "cctv_") || c.Name == "" {
			t.Fatalf("camera %+v", c)
		}
	}
}

func FuzzLoadCameraCSV(f *testing.F) {
	f.Add("cctv_id,name,lat,lon,rtsp_url\nc1,A,-7.25,112.74,rtsp://x\n")
	f.Add("name,lon,lat,id\n\"a\"\"b\",1,2,x\n")
	f.Add("id,name,lat,lon\nc1,A,1e400,0\n")
	d := districts()
	f.Fuzz(func(t *testing.T, src string) {
		cams, err := LoadCameraCSV(strings.NewReader(src), d)
		if err != nil {
			return
		}
		for _, c := range cams {
			if c.ID == "" || c.Name == "" || !c.Location.Valid() || c.Status != cc112.CameraUnknown {
				t.Fatalf("accepted bad camera %+v", c)
			}
		}
	})
}
