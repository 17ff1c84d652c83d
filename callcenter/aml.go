package callcenter

import (
	"crypto/hmac"
	"crypto/sha1"
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

// amlMethods maps the SMS positioning method codes (v1 pm=, v2 ls=; phones
// send either case) to our names. "F" (fused, v2) is a hybrid fix; "U" is a
// fix whose method the phone did not say. "N" (no location) is known but
// carries nothing to attach, so it is refused with its own message.
var amlMethods = map[string]string{"G": "gnss", "W": "wifi", "C": "cell", "H": "hybrid", "F": "hybrid", "U": "unknown"}

// amlMethodCodes is the code FormatAMLSMS writes for each name: one code
// per name, so that formatting is deterministic.
var amlMethodCodes = map[string]string{"gnss": "G", "wifi": "W", "cell": "C", "hybrid": "H", "unknown": "U"}

// formSources maps the HTTPS form's location_source, compared without
// case (Android sends GPS), to the same names.
var formSources = map[string]string{"gps": "gnss", "gnss": "gnss", "wifi": "wifi", "cell": "cell", "fused": "hybrid", "hybrid": "hybrid", "unknown": "unknown"}

func amlErr(format string, args ...any) error {
	return cc112.Errorf(cc112.EInvalid, "AML: "+format, args...)
}

// ParseAMLSMS parses the text of an AML SMS. Version 1 (ETSI TS 103 625):
// A"ML=1;lt=…;lg=…;rd=…;top=YYYYMMDDhhmmss;lc=…;pm=…;si=…;ei=…;mcc=…;mnc=…;ml=…
// Version 2 as Android sends it:
// A"ML=2;en=112;et=EPOCH;lo=lat,lon,radius;lt=OFFSET;lc=…;ls=…;ei=…;nc=MCCMNC;…
// (in v2 lt is the fix's time relative to et, lg the language), or with
// rd=, top= and pm= as in version 1. from is the SMS sender's number.
//
// Strict about what locates the caller: coordinates, radius and time must
// be well formed and in range, and a message that says its length (ml,
// required in version 1 where it is the last field, so its absence means a
// truncated message) must have it. Lenient about the variants: keys and
// method codes in either case, optional fields missing (no pm: method
// "unknown"), keys it does not know ignored, white space around the message
// (gateways add a newline) not counted.
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
	if len(text) < len(head) || !strings.EqualFold(text[:len(head)], head) {
		return a, amlErr(`message must start with A"ML=`)
	}
	parts := strings.Split(text[len(head):], ";")
	if parts[len(parts)-1] == "" { // a trailing ";"
		parts = parts[:len(parts)-1]
	}
	switch parts[0] {
	case "1":
		a.Version = 1
	case "2":
		a.Version = 2
	default:
		return a, amlErr("unsupported version %.10q (1 and 2 are known)", parts[0])
	}
	fields := map[string]string{}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			return a, amlErr("field %.40q is not key=value", p)
		}
		if _, dup := fields[k]; dup {
			return a, amlErr("field %q appears twice", k)
		}
		fields[k] = strings.TrimSpace(v)
	}
	if ml, ok := fields["ml"]; ok {
		n, err := digits(ml, 1, 4, "ml")
		if err != nil {
			return a, err
		}
		if got := utf8.RuneCountInString(text); n != got {
			return a, amlErr("ml=%d but the message has %d characters (truncated or altered)", n, got)
		}
	} else if a.Version == 1 {
		return a, amlErr("ml (message length) is missing: the message is truncated")
	}
	var err error
	if a.Phone, err = NormalizePhone(from); err != nil {
		return a, amlErr("sender: %s", cc112.ErrorMessage(err))
	}
	pm, ok := fields["pm"]
	if !ok && a.Version == 2 {
		pm, ok = fields["ls"]
	}
	switch pm = strings.ToUpper(pm); {
	case !ok || pm == "":
		a.Method = "unknown"
	case pm == "N":
		return a, amlErr("the phone had no position (pm=N)")
	case amlMethods[pm] == "":
		return a, amlErr("unknown positioning method %.10q (G, W, C, H, F, U are known)", pm)
	default:
		a.Method = amlMethods[pm]
	}
	if a.Version == 1 {
		err = a.locateV1(fields)
	} else {
		err = a.locateV2(fields)
	}
	if err != nil {
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
	mcc, mnc := fields["mcc"], fields["mnc"]
	if nc := fields["nc"]; a.Version == 2 && nc != "" && mcc == "" && mnc == "" {
		if _, err := digits(nc, 5, 6, "nc"); err != nil {
			return a, err
		}
		mcc, mnc = nc[:3], nc[3:]
	}
	for _, f := range []struct {
		key, v   string
		min, max int
		into     *string
	}{
		{"si", fields["si"], 5, 15, &a.IMSI}, {"ei", fields["ei"], 14, 16, &a.IMEI}, {"mcc", mcc, 3, 3, &a.MCC}, {"mnc", mnc, 2, 3, &a.MNC},
	} {
		if f.v != "" {
			if _, err := digits(f.v, f.min, f.max, f.key); err != nil {
				return a, err
			}
			*f.into = f.v
		}
	}
	return a, nil
}

// locateV1 reads lt, lg, rd and top, all required.
func (a *AML) locateV1(fields map[string]string) error {
	lat, lon := fields["lt"], fields["lg"]
	if lat == "" || lon == "" {
		return amlErr("lt and lg (latitude, longitude) are required in version 1")
	}
	var err error
	if a.Location, err = parseLatLon(lat, lon); err != nil {
		return err
	}
	rd, ok := fields["rd"]
	if !ok {
		return amlErr("rd (radius) is missing")
	}
	if a.RadiusM, err = parseRadius(rd); err != nil {
		return err
	}
	top, ok := fields["top"]
	if !ok {
		return amlErr("top (time of positioning) is missing")
	}
	a.At, err = parseTOP(top)
	return err
}

// locateV2 reads lo=lat,lon[,radius,…], the radius from rd or lo, and the
// time from top or from et (+ lt seconds).
func (a *AML) locateV2(fields map[string]string) error {
	lo, ok := fields["lo"]
	if !ok {
		return amlErr("lo (location) is required in version 2")
	}
	comps := strings.Split(lo, ",")
	if len(comps) < 2 {
		return amlErr("lo=%.40q must be lat,lon", lo)
	}
	var err error
	if a.Location, err = parseLatLon(comps[0], comps[1]); err != nil {
		return err
	}
	rd, ok := fields["rd"]
	if !ok && len(comps) > 2 {
		rd, ok = comps[2], true
	}
	if !ok {
		return amlErr("no radius: rd or a third value in lo is required")
	}
	if a.RadiusM, err = parseRadius(rd); err != nil {
		return err
	}
	if top, ok := fields["top"]; ok {
		a.At, err = parseTOP(top)
		return err
	}
	et, ok := fields["et"]
	if !ok {
		return amlErr("no time: top or et is required")
	}
	secs, err := digits(et, 9, 10, "et (seconds since 1970)")
	if err != nil {
		return err
	}
	a.At = time.Unix(int64(secs), 0).UTC()
	if lt, ok := fields["lt"]; ok {
		off, err := strconv.Atoi(lt)
		if err != nil || len(lt) > 6 {
			return amlErr("lt=%.20q must be whole seconds relative to et", lt)
		}
		// -9999 is what Android sends when it does not know the fix's
		// time: the call's start is then the best we know.
		if off > -9999 {
			a.At = a.At.Add(time.Duration(off) * time.Second)
		}
	}
	return nil
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
	if err := cc112.CheckPoint(p); err != nil {
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
	pm := amlMethodCodes[a.Method]
	if pm == "" {
		pm = "U"
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
// milliseconds since 1970 (as Android sends it); location_source is
// compared without case (Android sends GPS); the confidence is
// location_certainty (Android) or location_confidence. When key is not
// empty the body must end with &hmac= and the hex HMAC, under key, of
// everything before it: HMAC-SHA1 (40 hex digits, as Android's providers
// sign) or HMAC-SHA256 (64).
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
		hash := sha256.New
		if len(got) == sha1.Size {
			hash = sha1.New
		}
		h := hmac.New(hash, key)
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
		if err := cc112.CheckText("a form field name", k, 100); err != nil {
			return a, err
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
	if a.Method = formSources[strings.ToLower(src)]; a.Method == "" {
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
	for _, name := range []string{"location_confidence", "location_certainty"} {
		if lc := q.Get(name); lc != "" {
			if a.Confidence, err = digits(lc, 1, 3, name); err != nil || a.Confidence > 100 {
				return a, amlErr("%s=%.10q is not a percentage", name, lc)
			}
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
