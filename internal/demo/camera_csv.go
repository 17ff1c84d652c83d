package demo

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"cc112"
	"cc112/geo"
)

// cameraColumns maps accepted header names (lower case) to fields.
var cameraColumns = map[string]string{
	"cctv_id":       "id",
	"id":            "id",
	"name":          "name",
	"area":          "area",
	"lat":           "lat",
	"latitude":      "lat",
	"lon":           "lon",
	"lng":           "lon",
	"longitude":     "lon",
	"kecamatan_pip": "district",
	"kecamatan":     "district",
	"district":      "district",
	"rtsp_url":      "rtsp_url",
	"sub_rtsp_url":  "sub_rtsp_url",
}

// LoadCameraCSV reads cameras from CSV with a header row, in the columns of
// the city's CCTV list (cctv_id, name, area, lat, lon, status_at_snapshot,
// kecamatan_pip, kelurahan_pip) plus optional rtsp_url and sub_rtsp_url, in
// any order; other columns are ignored. id (or cctv_id), name, lat and lon
// are required.
//
// Every camera starts with status unknown: a snapshot's status is not a
// probe of ours. HasVideo is set when it has an rtsp_url. The district
// comes from d.Locate, or from the kecamatan column when d is nil or the
// point lies outside every district.
func LoadCameraCSV(r io.Reader, d *geo.Districts) ([]cc112.Camera, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("demo: cameras CSV: empty, no header row")
	}
	if err != nil {
		return nil, fmt.Errorf("demo: cameras CSV: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if f, ok := cameraColumns[h]; ok {
			if _, dup := col[f]; dup {
				return nil, fmt.Errorf("demo: cameras CSV: header: two %s columns", f)
			}
			col[f] = i
		}
	}
	var missing []string
	for _, f := range []string{"id", "name", "lat", "lon"} {
		if _, ok := col[f]; !ok {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("demo: cameras CSV: header lacks column(s) %s", strings.Join(missing, ", "))
	}
	field := func(rec []string, f string) string {
		if i, ok := col[f]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}

	var cams []cc112.Camera
	firstLine := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("demo: cameras CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		c, err := parseCamera(rec, field)
		if err != nil {
			return nil, fmt.Errorf("demo: cameras CSV line %d: %w", line, err)
		}
		if prev, dup := firstLine[c.ID]; dup {
			return nil, fmt.Errorf("demo: cameras CSV line %d: id %q already on line %d", line, c.ID, prev)
		}
		firstLine[c.ID] = line
		if d != nil {
			if name := d.Locate(c.Location); name != "" {
				c.District = name
			}
		}
		cams = append(cams, c)
	}
	return cams, nil
}

func parseCamera(rec []string, field func([]string, string) string) (cc112.Camera, error) {
	c := cc112.Camera{
		ID:         field(rec, "id"),
		Name:       field(rec, "name"),
		Area:       field(rec, "area"),
		District:   field(rec, "district"),
		Status:     cc112.CameraUnknown,
		RTSPURL:    field(rec, "rtsp_url"),
		SubRTSPURL: field(rec, "sub_rtsp_url"),
	}
	c.HasVideo = c.RTSPURL != ""
	if c.ID == "" {
		return c, errors.New("empty id")
	}
	if c.Name == "" {
		return c, fmt.Errorf("camera %q: empty name", c.ID)
	}
	lat, err := parseCoord(field(rec, "lat"), 90)
	if err != nil {
		return c, fmt.Errorf("camera %q: lat: %w", c.ID, err)
	}
	lon, err := parseCoord(field(rec, "lon"), 180)
	if err != nil {
		return c, fmt.Errorf("camera %q: lon: %w", c.ID, err)
	}
	c.Location = geo.Point{Lat: lat, Lon: lon}
	return c, nil
}

// parseCoord parses a finite number within ±limit.
func parseCoord(s string, limit float64) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("not a number: %w", err)
	}
	if !(v >= -limit && v <= limit) { // also rejects NaN
		return 0, fmt.Errorf("%v is out of range ±%v", v, limit)
	}
	return v, nil
}
