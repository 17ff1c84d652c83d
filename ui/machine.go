package ui

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"cc112"
)

// Machine clients without a user token authenticate with their own
// secrets, checked here (the access rule lets them reach the handler).

// machineCaller reports whether the request came without a user (auth on,
// no principal): the handler must check the client's own secret.
func (s *Server) machineCaller(r *http.Request) bool {
	return s.auth != nil && PrincipalFrom(r.Context()) == nil
}

func secretEqual(given, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(given), []byte(want)) == 1
}

// amlSecretOK checks the AML gateway's API key (X-API-Key). An HTTPS form
// may instead carry the AML HMAC: formSigned says whether the handler will
// verify one (a key is configured and the body is a form).
func (s *Server) amlSecretOK(r *http.Request, formSigned bool) error {
	if !s.machineCaller(r) || formSigned || secretEqual(r.Header.Get("X-API-Key"), s.set.AMLAPIKey) {
		return nil
	}
	if s.set.AMLAPIKey == "" && len(s.set.AMLKey) == 0 {
		return cc112.Errorf(cc112.EUnauthenticated, "AML intake needs a user token; the gateway's API key (-aml-api-key) and the AML HMAC (-aml-hmac-key) are not configured")
	}
	return cc112.Errorf(cc112.EUnauthenticated, "AML intake needs a user token, the gateway's X-API-Key, or an HMAC-signed AML form")
}

// prometheus serves /metrics to a supervisor's or admin's token, to the
// scraper's bearer token (-metrics-token) or, when none is configured, to
// loopback clients only.
func (s *Server) prometheus(h http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.machineCaller(r) {
			var ok bool
			if s.set.MetricsToken != "" {
				given, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
				ok = secretEqual(given, s.set.MetricsToken)
			} else {
				ip := net.ParseIP(clientAddr(r))
				ok = ip != nil && ip.IsLoopback()
			}
			if !ok {
				s.writeError(w, r, cc112.Errorf(cc112.EUnauthenticated, "/metrics needs the scraper's bearer token (-metrics-token) or a supervisor's or admin's token"))
				return
			}
		}
		h.ServeHTTP(w, r)
	}
}
