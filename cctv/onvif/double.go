package onvif

import (
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Double is a PTZ service for tests that reads the real SOAP 1.2 messages (the
// ONVIF PTZ service specification's request and response elements) and
// checks their WS-Security UsernameToken as a camera does: a digest of
// nonce, created and password, created within five minutes of its clock.
type Double struct {
	User, Password string
	Now            time.Time // the camera's clock
	mu             sync.Mutex
	calls          []string // "ContinuousMove pan=0.5 tilt=0 zoom=-0.25 timeout=PT2S"
}

// Calls lists what the double was asked, in order.
func (d *Double) Calls() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.calls...)
}

type envelope struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Header  struct {
		Security struct {
			Token struct {
				Username string `xml:"Username"`
				Password struct {
					Type  string `xml:"Type,attr"`
					Value string `xml:",chardata"`
				} `xml:"Password"`
				Nonce   string `xml:"Nonce"`
				Created string `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd Created"`
			} `xml:"UsernameToken"`
		} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Security"`
	} `xml:"Header"`
	Body struct {
		Op struct {
			XMLName  xml.Name
			Profile  string `xml:"ProfileToken"`
			Preset   string `xml:"PresetToken"`
			Timeout  string `xml:"Timeout"`
			Velocity vec    `xml:"Velocity"`
			Position vec    `xml:"Position"`
			PanTilt  string `xml:"PanTilt"`
			Zoom     string `xml:"Zoom"`
		} `xml:",any"`
	} `xml:"Body"`
}

type vec struct {
	PanTilt *struct {
		X string `xml:"x,attr"`
		Y string `xml:"y,attr"`
	} `xml:"http://www.onvif.org/ver10/schema PanTilt"`
	Zoom *struct {
		X string `xml:"x,attr"`
	} `xml:"http://www.onvif.org/ver10/schema Zoom"`
}

func (v vec) String() string {
	s := ""
	if v.PanTilt != nil {
		s += "pan=" + v.PanTilt.X + " tilt=" + v.PanTilt.Y
	}
	if v.Zoom != nil {
		s += " zoom=" + v.Zoom.X
	}
	return strings.TrimSpace(s)
}

func fault(w http.ResponseWriter, code, sub, text string) {
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="`+NSEnvelope+`" xmlns:ter="http://www.onvif.org/ver10/error">`+
		`<env:Body><env:Fault><env:Code><env:Value>`+code+`</env:Value><env:Subcode><env:Value>`+sub+`</env:Value></env:Subcode></env:Code>`+
		`<env:Reason><env:Text xml:lang="en">`+text+`</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`)
}

// ServeHTTP answers one SOAP request.
func (d *Double) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/soap+xml") || !strings.Contains(ct, `action="`+NSPTZ+"/") {
		fault(w, "env:Sender", "ter:InvalidArgVal", "not a SOAP 1.2 PTZ request: "+ct)
		return
	}
	var env envelope
	if err := xml.NewDecoder(r.Body).Decode(&env); err != nil {
		fault(w, "env:Sender", "ter:WellFormed", err.Error())
		return
	}
	tok := env.Header.Security.Token
	nonce, _ := base64.StdEncoding.DecodeString(tok.Nonce)
	created, err := time.Parse(time.RFC3339, tok.Created)
	if tok.Username != d.User || tok.Password.Type != PasswordDigestType || len(nonce) == 0 || err != nil ||
		created.Sub(d.Now).Abs() > 5*time.Minute || tok.Password.Value != Digest(nonce, tok.Created, d.Password) {
		fault(w, "env:Sender", "ter:NotAuthorized", "Sender not Authorized")
		return
	}
	op := env.Body.Op
	if op.XMLName.Space != NSPTZ || op.Profile != "Profile_1" {
		fault(w, "env:Sender", "ter:InvalidArgVal", "unknown operation or profile "+op.XMLName.Local+" "+op.Profile)
		return
	}
	answer := ""
	var call string
	switch op.XMLName.Local {
	case "ContinuousMove":
		call = "ContinuousMove " + op.Velocity.String() + " timeout=" + op.Timeout
	case "AbsoluteMove":
		call = "AbsoluteMove " + op.Position.String()
	case "Stop":
		call = "Stop pantilt=" + op.PanTilt + " zoom=" + op.Zoom
	case "GotoPreset":
		if op.Preset != "1" && op.Preset != "2" {
			fault(w, "env:Sender", "ter:NoToken", "no preset "+op.Preset)
			return
		}
		call = "GotoPreset " + op.Preset
	case "GetPresets":
		call = "GetPresets"
		answer = `<tptz:Preset token="1"><tt:Name>Gerbang Tugu</tt:Name><tt:PTZPosition><tt:PanTilt x="0.1" y="0"/><tt:Zoom x="0"/></tt:PTZPosition></tptz:Preset>` +
			`<tptz:Preset token="2"><tt:Name>Jl. Pahlawan &amp; Kebon Rojo</tt:Name></tptz:Preset>`
	default:
		fault(w, "env:Receiver", "ter:ActionNotSupported", op.XMLName.Local)
		return
	}
	d.mu.Lock()
	d.calls = append(d.calls, call)
	d.mu.Unlock()
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="`+NSEnvelope+`" xmlns:tptz="`+NSPTZ+`" xmlns:tt="`+NSSchema+`">`+
		`<env:Body><tptz:`+op.XMLName.Local+`Response>`+answer+`</tptz:`+op.XMLName.Local+`Response></env:Body></env:Envelope>`)
}
