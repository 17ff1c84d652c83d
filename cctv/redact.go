// Package cctv is the camera side of the command center: the health prober,
// the live relay (RTSP → fMP4 for the browser's Media Source Extensions) and
// the audit of who watched which camera.
package cctv

import (
	"net/url"
	"strings"
)

// RedactURL hides the user and password of an RTSP URL for logs and
// messages: rtsp://admin:secret@host/x becomes rtsp://***@host/x. A string
// that does not parse is reduced to its scheme so that nothing leaks.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.Index(raw, "://"); i > 0 && i < 10 {
			return raw[:i] + "://***"
		}
		return "***"
	}
	// Some cameras take credentials in the query instead.
	if q := u.Query(); len(q) > 0 {
		for k := range q {
			switch strings.ToLower(k) {
			case "user", "username", "password", "pass", "pwd", "passwd", "token", "auth", "key":
				q.Set(k, "***")
			}
		}
		u.RawQuery = q.Encode()
	}
	if u.User != nil {
		u.User = nil
		return strings.Replace(u.String(), "://", "://***@", 1)
	}
	return u.String()
}
