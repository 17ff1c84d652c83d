package callcenter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cc112"
	"cc112/dispatch"
	"cc112/geo"
)

// AML is one Advanced Mobile Location report (ETSI TS 103 625): where the
// phone that dialled 112 was, how sure it is, and how it knew.
type AML struct {
	Version    int       `json:"version"`
	Phone      string    `json:"phone"` // E.164, from the SMS sender or device_number
	Location   geo.Point `json:"location"`
	RadiusM    float64   `json:"radius_m"`
	At         time.Time `json:"at"` // time of positioning (UTC)
	Confidence int       `json:"confidence,omitempty"`
	Method     string    `json:"method"` // gnss, wifi, cell or hybrid
	IMSI       string    `json:"imsi,omitempty"`
	IMEI       string    `json:"imei,omitempty"`
	MCC        string    `json:"mcc,omitempty"`
	MNC        string    `json:"mnc,omitempty"`
}

// Limits of a plausible AML message.
const (
	maxAMLText   = 1024    // an AML SMS is at most a few concatenated SMS
	maxAMLRadius = 100_000 // metres: a cell sector can be large, a country cannot
)

// amlMethods maps the SMS positioning method codes to our names. "N" (no
// location) is known but carries nothing to attach, so it is refused with
// its own message.
var amlMethods = map[string]string{"G": "gnss", "W": "wifi", "C": "cell", "H": "hybrid"}

// formSources maps the HTTPS form's location_source to the same names.
var formSources = map[string]string{"gps": "gnss", "gnss": "gnss", "wifi": "wifi", "cell": "cell", "fused": "hybrid", "hybrid": "hybrid"}

func amlErr(format string, args ...any) error {
	return cc112.Errorf(cc112.EInvalid, "AML: "+format, args...)
}

// ParseAMLSMS parses the text of an AML SMS, version 1
// (A"ML=1;lt=…;lg=…;rd=…;top=YYYYMMDDhhmmss;lc=…;pm=…;si=…;ei=…;mcc=…;mnc=…;ml=…)
// or version 2 (lo=lat,lon[,…] instead of lt and lg). from is the SMS
// sender's number. It is strict about what it uses (ml must be the
// message's length in characters, dates and numbers well formed, the
// positioning method known) and ignores keys it does not know, as phones
// add them. White space around the message (gateways add a newline) is
// not counted.
func ParseAMLSMS(text, from string) (AML, error) {
	var a AML
	if len(text) > maxAMLText {
		return a, amlErr("message longer than %d bytes", maxAMLText)
	}
	if err := cc112.CheckLines("AML message", text, 0); err != nil {
		return a, err
	}
	text = strings.TrimSpace(text)
	const head = `A"ML=`
	if !strings.HasPrefix(text, head) {
		return a, amlErr(`message must start with A"ML=`)
	}
	fields := map[string]string{}
	parts := strings.Split(text[len(`A"`):], ";")
	if parts[len(parts)-1] == "" { // a trailing ";"
		parts = parts[:len(parts)-1]
	}
	for _, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return a, amlErr("field %.40q is not key=value", p)
		}
		if _, dup := fields[k]; dup {
			return a, amlErr("field %q appears twice", k)
		}
		fields[k] = v
	}
	switch fields["ML"] {
	case "1":
		a.Version = 1
	case "2":
		a.Version = 2
	default:
		return a, amlErr("unsupported version %.10q (1 and 2 are known)", fields["ML"])
	}
	ml, ok := fields["ml"]
	if !ok {
		return a, amlErr("ml (message length) is missing")
	}
	n, err := digits(ml, 1, 4, "ml")
	if err != nil {
		return a, err
	}
	if got := utf8.RuneCountInString(text); n != got {
		return a, amlErr("ml=%d but the message has %d characters (truncated or altered)", n, got)
	}
	var err2 error
	if a.Phone, err2 = NormalizePhone(from); err2 != nil {
		return a, amlErr("sender: %s", cc112.ErrorMessage(err2))
	}
	var lat, lon string
	if a.Version == 1 {
		lat, lon = fields["lt"], fields["lg"]
		if lat == "" || lon == "" {
			return a, amlErr("lt and lg (latitude, longitude) are required in version 1")
		}
	} else {
		lo, ok := fields["lo"]
		if !ok {
			return a, amlErr("lo (location) is required in version 2")
		}
		comps := strings.Split(lo, ",")
		if len(comps) < 2 {
			return a, amlErr("lo=%.40q must be lat,lon", lo)
		}
		lat, lon = comps[0], comps[1]
	}
	pm := fields["pm"]
	switch {
	case pm == "N":
		return a, amlErr("the phone had no position (pm=N)")
	case amlMethods[pm] == "":
		return a, amlErr("unknown positioning method pm=%.10q (G, W, C, H are known)", pm)
	}
	a.Method = amlMethods[pm]
	if a.Location, err = parseLatLon(lat, lon); err != nil {
		return a, err
	}
	rd, ok := fields["rd"]
	if !ok {
		return a, amlErr("rd (radius) is missing")
	}
	if a.RadiusM, err = parseRadius(rd); err != nil {
		return a, err
	}
	top, ok := fields["top"]
	if !ok {
		return a, amlErr("top (time of positioning) is missing")
	}
	if a.At, err = parseTOP(top); err != nil {
		return a, err
	}
	if lc, ok := fields["lc"]; ok {
		if a.Confidence, err = digits(lc, 1, 3, "lc"); err != nil {
			return a, err
		}
		if a.Confidence > 100 {
			return a, amlErr("lc=%d is not a percentage", a.Confidence)
		}
	}
	for _, f := range []struct {
		key      string
		min, max int
		into     *string
	}{
		{"si", 5, 15, &a.IMSI}, {"ei", 14, 16, &a.IMEI}, {"mcc", 3, 3, &a.MCC}, {"mnc", 2, 3, &a.MNC},
	} {
		if v, ok := fields[f.key]; ok && v != "" {
			if _, err := digits(v, f.min, f.max, f.key); err != nil {
				return a, err
			}
			*f.into = v
		}
	}
	return a, nil
}

// digits parses a field of min to max decimal digits.
func digits(v string, min, max int, name string) (int, error) {
	if len(v) < min || len(v) > max {
		return 0, amlErr("%s=%.20q must have %d to %d digits", name, v, min, max)
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return 0, amlErr("%s=%.20q must be digits", name, v)
		}
	}
	n, _ := strconv.Atoi(v)
	return n, nil
}

// decimal parses a plain signed decimal: no exponent, no NaN or Inf, which
// strconv would accept and no phone sends.
func decimal(v, name string) (float64, error) {
	s := v
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" || len(v) > 20 || strings.Count(s, ".") > 1 || s[0] == '.' || s[len(s)-1] == '.' {
		return 0, amlErr("%s=%.20q is not a decimal number", name, v)
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return 0, amlErr("%s=%.20q is not a decimal number", name, v)
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, amlErr("%s=%.20q is not a decimal number", name, v)
	}
	return f, nil
}

func parseLatLon(lat, lon string) (geo.Point, error) {
	la, err := decimal(lat, "latitude")
	if err != nil {
		return geo.Point{}, err
	}
	lo, err := decimal(lon, "longitude")
	if err != nil {
		return geo.Point{}, err
	}
	p := geo.Point{Lat: la, Lon: lo}
	if err := dispatch.CheckPoint(p); err != nil {
		return p, amlErr("%s", cc112.ErrorMessage(err))
	}
	return p, nil
}

func parseRadius(v string) (float64, error) {
	r, err := decimal(v, "radius")
	if err != nil {
		return 0, err
	}
	if r < 0 || r > maxAMLRadius {
		return 0, amlErr("radius %.20q must be 0 to %d metres", v, maxAMLRadius)
	}
	return r, nil
}

// parseTOP parses the time of positioning, YYYYMMDDhhmmss in UTC. Go's
// parser refuses 30 February, 25 o'clock and the like.
func parseTOP(v string) (time.Time, error) {
	if _, err := digits(v, 14, 14, "top"); err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse("20060102150405", v)
	if err != nil {
		return time.Time{}, amlErr("top=%q is not a valid date and time", v)
	}
	return t.UTC(), nil
}

// FormatAMLSMS writes a as a version 1 or 2 AML SMS with its ml: the
// simulator's phones and the tests use it.
func FormatAMLSMS(a AML) string {
	pm := "G"
	for code, name := range amlMethods {
		if name == a.Method {
			pm = code
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `A"ML=%d;`, a.Version)
	if a.Version == 2 {
		fmt.Fprintf(&b, "lo=%+.5f,%+.5f;", a.Location.Lat, a.Location.Lon)
	} else {
		fmt.Fprintf(&b, "lt=%+.5f;lg=%+.5f;", a.Location.Lat, a.Location.Lon)
	}
	fmt.Fprintf(&b, "rd=%d;top=%s;lc=%d;pm=%s;", int(math.Round(a.RadiusM)), a.At.UTC().Format("20060102150405"), a.Confidence, pm)
	for _, f := range [][2]string{{"si", a.IMSI}, {"ei", a.IMEI}, {"mcc", a.MCC}, {"mnc", a.MNC}} {
		if f[1] != "" {
			fmt.Fprintf(&b, "%s=%s;", f[0], f[1])
		}
	}
	s := b.String() + "ml="
	// ml counts itself: find the length whose digits make the total right.
	for n := len(s) + 1; ; n++ {
		if len(s)+len(strconv.Itoa(n)) == n {
			return s + strconv.Itoa(n)
		}
	}
}

// ParseAMLForm parses the HTTPS form of AML
// (v=1&device_number=…&location_latitude=…&location_longitude=…&location_time=…
// &location_accuracy=…&location_source=…[&hmac=…]). location_time is in
// milliseconds since 1970 (as Android sends it). When key is not empty the
// body must end with &hmac= and the hex HMAC-SHA256, under key, of
// everything before it.
func ParseAMLForm(body string, key []byte) (AML, error) {
	var a AML
	if len(body) > maxAMLText*4 {
		return a, amlErr("form longer than %d bytes", maxAMLText*4)
	}
	signed, mac, hasMAC := body, "", false
	if i := strings.LastIndex(body, "&hmac="); i >= 0 {
		signed, mac, hasMAC = body[:i], body[i+len("&hmac="):], true
	}
	if len(key) > 0 {
		if !hasMAC {
			return a, cc112.Errorf(cc112.EUnauthenticated, "AML: the form must end with &hmac= (a key is configured)")
		}
		got, err := hex.DecodeString(mac)
		h := hmac.New(sha256.New, key)
		h.Write([]byte(signed))
		if err != nil || !hmac.Equal(got, h.Sum(nil)) {
			return a, cc112.Errorf(cc112.EUnauthenticated, "AML: hmac does not match")
		}
	}
	q, err := url.ParseQuery(signed)
	if err != nil {
		return a, amlErr("form is not URL-encoded: %v", err)
	}
	for k, vs := range q {
		if len(vs) > 1 {
			return a, amlErr("field %.40q appears twice", k)
		}
		if err := cc112.CheckText(k, vs[0], 0); err != nil {
			return a, err
		}
	}
	if v := q.Get("v"); v != "1" {
		return a, amlErr("unsupported version v=%.10q (1 is known)", v)
	}
	a.Version = 1
	if a.Phone, err = NormalizePhone(q.Get("device_number")); err != nil {
		return a, amlErr("device_number: %s", cc112.ErrorMessage(err))
	}
	src := q.Get("location_source")
	if a.Method = formSources[src]; a.Method == "" {
		return a, amlErr("unknown location_source %.20q (gps, wifi, cell, fused are known)", src)
	}
	if a.Location, err = parseLatLon(q.Get("location_latitude"), q.Get("location_longitude")); err != nil {
		return a, err
	}
	if a.RadiusM, err = parseRadius(q.Get("location_accuracy")); err != nil {
		return a, err
	}
	ms, err := digits(q.Get("location_time"), 12, 13, "location_time (milliseconds since 1970)")
	if err != nil {
		return a, err
	}
	a.At = time.UnixMilli(int64(ms)).UTC()
	if lc := q.Get("location_confidence"); lc != "" {
		if a.Confidence, err = digits(lc, 1, 3, "location_confidence"); err != nil || a.Confidence > 100 {
			return a, amlErr("location_confidence=%.10q is not a percentage", lc)
		}
	}
	return a, nil
}

// SignAMLForm appends the hmac a key-holding sender adds (tests, tools).
func SignAMLForm(body string, key []byte) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(body))
	return body + "&hmac=" + hex.EncodeToString(h.Sum(nil))
}
