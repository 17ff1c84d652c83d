package osmand

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"cc112"
)

// Requests published in Traccar's own decoder tests
// (traccar/traccar, src/test/java/org/traccar/protocol/OsmAndProtocolDecoderTest.java):
// what real trackers and Traccar Client send. Traccar decodes each to a
// position; so must we, with the values below.
func TestParsePublishedQueries(t *testing.T) {
	for _, c := range []struct {
		query            string
		device           string
		lat, lon         float64
		at               time.Time
		speedMS, heading float64 // -1: absent
	}{
		{"id=902064&lat=42.06288&lon=-88.23412&timestamp=2016-01-27T18%3A55%3A47Z&hdop=6.0&altitude=224.0&speed=0.0",
			"902064", 42.06288, -88.23412, time.Date(2016, 1, 27, 18, 55, 47, 0, time.UTC), 0, -1},
		{"id=902064&lat=42.06288&lon=-88.23412&timestamp=1442068686579&hdop=6.0&altitude=224.0&speed=0.0",
			"902064", 42.06288, -88.23412, time.UnixMilli(1442068686579).UTC(), 0, -1},
		{"lat=49.60688&lon=6.15788&timestamp=2014-06-04+09%3A10%3A11&altitude=384.7&speed=0.0&id=353861053849681",
			"353861053849681", 49.60688, 6.15788, time.Date(2014, 6, 4, 9, 10, 11, 0, time.UTC), 0, -1},
		{"id=123456&timestamp=1377177267&lat=60.0&lon=30.0&speed=0.0&bearing=0.0&altitude=0&hdop=0.0",
			"123456", 60, 30, time.Unix(1377177267, 0).UTC(), 0, 0},
		{"id=123456&timestamp=1377177267&lat=60.0&lon=30.0",
			"123456", 60, 30, time.Unix(1377177267, 0).UTC(), -1, -1},
		{"lat=60.0&lon=30.0&speed=0.0&heading=0.0&vacc=0&hacc=0&altitude=0&deviceid=123456",
			"123456", 60, 30, time.Time{}, 0, 0},
		{"id=861001000719969&lat=41.666667&lon=-0.883333&altitude=350.059479&speed=0.000000&batt=87",
			"861001000719969", 41.666667, -0.883333, time.Time{}, 0, -1},
		{"id=123456&timestamp=1377177267&location=60.0,30.0",
			"123456", 60, 30, time.Unix(1377177267, 0).UTC(), -1, -1},
		{"id=123456789012345&timestamp=1504763810&lat=40.7232948571&lon=-74.0061408571&bearing=7.19889788244&speed=40&ignition=true&rpm=933&fuel=24",
			"123456789012345", 40.7232948571, -74.0061408571, time.Unix(1504763810, 0).UTC(), 40 * knots, 7.19889788244},
	} {
		t.Run(c.query, func(t *testing.T) {
			q, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			fix, err := ParseParams(q, "")
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if fix.Device != c.device || fix.Lat != c.lat || fix.Lon != c.lon || !fix.At.Equal(c.at) {
				t.Errorf("got %+v", fix)
			}
			if got := value(fix.Speed); got != c.speedMS {
				t.Errorf("speed %v m/s, want %v", got, c.speedMS)
			}
			if got := value(fix.Heading); got != c.heading {
				t.Errorf("heading %v, want %v", got, c.heading)
			}
		})
	}
}

// Traccar refuses these (no identifier) or keeps no position (cell and
// Wi-Fi only): we move no unit with them, and say why.
func TestRefusedQueries(t *testing.T) {
	for query, want := range map[string]string{
		"timestamp=1377177267&lat=60.0&lon=30.0": "id",
		"id=123456&timestamp=1377177267&cell=257,02,16,2224&cell=257,02,16,2223,-90&wifi=00-14-22-01-23-45,-80": "lat",
		"id=1&lat=60&lon=abc":                    "lon",
		"id=1&lat=60&lon=30&timestamp=yesterday": "timestamp",
		"id=1&lat=60&lon=30&speed=NaN":           "speed",
		"id=1&lat=95&lon=30":                     "location",
		"id=1%00&lat=60&lon=30":                  "id",
		"id=1&lat=60&lon=30&note=%E2%80%AEevil":  "note",
	} {
		q, _ := url.ParseQuery(query)
		_, err := ParseParams(q, "")
		if err == nil || cc112.ErrorCode(err) != cc112.EInvalid || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want invalid_argument naming %s", query, err, want)
		}
	}
}

// Traccar Client's JSON reports, as published in the same test file.
func TestParsePublishedTraccarJSON(t *testing.T) {
	for _, c := range []struct {
		body     string
		device   string
		lat, lon float64
		at       time.Time
		speed    float64 // -1: absent
		heading  float64
	}{
		{`{"location":{"timestamp":"2025-06-15T13:45:12.862Z","coords":{"latitude":37.4219983,"longitude":-122.084,"accuracy":5,"speed":0,"heading":-1,"altitude":5},"is_moving":false,"odometer":0,"event":"motionchange","battery":{"level":1,"is_charging":false},"activity":{"type":"still"},"extras":{},"_":"&id=48241179&lat=37.4219983&lon=-122.084&timestamp=2025-06-15T13:45:12.862Z&"},"device_id":"48241179"}`,
			"48241179", 37.4219983, -122.084, time.Date(2025, 6, 15, 13, 45, 12, 862e6, time.UTC), 0, -1},
		{`{"location":{"timestamp":"2025-06-15T13:45:12.862Z","coords":{"latitude":37.4219983,"longitude":-122.084,"accuracy":5,"speed":0,"heading":-1,"altitude":5},"is_moving":false,"odometer":0,"event":"motionchange","battery":{"level":1,"is_charging":false},"activity":{"type":"still"},"extras":{"device_string_test":"long_device_id","device_bool_test":true,"device_bool_false_test":false,"device_integer_test":1,"device_double_test":1.345,"device_very_long_double_test":1763636.3442},"_":"&id=48241179&lat=37.4219983&lon=-122.084&timestamp=2025-06-15T13:45:12.862Z&"},"device_id":"48241179"}`,
			"48241179", 37.4219983, -122.084, time.Date(2025, 6, 15, 13, 45, 12, 862e6, time.UTC), 0, -1},
		{`{"location":{"extras":{},"mock":true,"coords":{"speed_accuracy":-1,"speed":-1,"longitude":-122.406417,"ellipsoidal_altitude":0,"floor":null,"heading_accuracy":-1,"latitude":37.785834000000001,"accuracy":5,"altitude_accuracy":-1,"altitude":0,"heading":-1},"is_moving":false,"age":188,"odometer":0,"uuid":"2FB04C65-99CF-42AB-8DD3-EBCB4B108BF8","event":"motionchange","battery":{"level":-1,"is_charging":false},"activity":{"type":"unknown","confidence":100},"timestamp":"2025-05-09T04:11:30.579Z"},"device_id":"658765"}`,
			"658765", 37.785834000000001, -122.406417, time.Date(2025, 5, 9, 4, 11, 30, 579e6, time.UTC), -1, -1},
		{`{"location":{"event":"motionchange","is_moving":false,"uuid":"0e9a2473-a9a7-4c00-997b-fb97d2154e75","timestamp":"2021-07-21T08:06:34.444Z","odometer":0,"coords":{"latitude":-6.1148096,"longitude":106.6837015,"accuracy":3.8,"speed":18.67,"speed_accuracy":0.26,"heading":63,"heading_accuracy":0.28,"altitude":35.7,"altitude_accuracy":3.8},"activity":{"type":"still","confidence":100},"battery":{"is_charging":false,"level":0.79},"extras":{}},"device_id":"8737767034"}`,
			"8737767034", -6.1148096, 106.6837015, time.Date(2021, 7, 21, 8, 6, 34, 444e6, time.UTC), 18.67, 63},
	} {
		var b TraccarBody
		if err := json.Unmarshal([]byte(c.body), &b); err != nil {
			t.Fatal(err)
		}
		fix, err := b.Fix("s3cret")
		if err != nil {
			t.Fatalf("%s: refused: %v", c.device, err)
		}
		if fix.Device != c.device || fix.Secret != "s3cret" || fix.Lat != c.lat || fix.Lon != c.lon || !fix.At.Equal(c.at) ||
			value(fix.Speed) != c.speed || value(fix.Heading) != c.heading {
			t.Errorf("%s: got %+v", c.device, fix)
		}
	}
}

func TestSecretInTheIdentifier(t *testing.T) {
	q, _ := url.ParseQuery("id=48241179:abc&lat=-7.26&lon=112.75")
	fix, err := ParseParams(q, "from-header")
	if err != nil || fix.Device != "48241179" || fix.Secret != "abc" {
		t.Fatalf("%+v %v", fix, err)
	}
	q, _ = url.ParseQuery("id=48241179:abc&key=xyz&lat=-7.26&lon=112.75")
	if fix, _ := ParseParams(q, ""); fix.Secret != "xyz" {
		t.Errorf("key= should win: %+v", fix)
	}
	q, _ = url.ParseQuery("id=48241179&lat=-7.26&lon=112.75")
	if fix, _ := ParseParams(q, "from-header"); fix.Secret != "from-header" {
		t.Errorf("the header is the last resort: %+v", fix)
	}
}

func TestStale(t *testing.T) {
	now := time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC)
	for at, want := range map[time.Time]bool{
		{}:                                 false, // no time sent: it is now
		now.Add(-StaleAfter):               false,
		now.Add(-StaleAfter - time.Second): true,
	} {
		if got := (Fix{At: at}).Stale(now); got != want {
			t.Errorf("fix at %v: stale %v, want %v", at, got, want)
		}
	}
}

func value(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}
