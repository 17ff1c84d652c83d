package ui

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/gorilla/websocket"

	"cc112"
	"cc112/auth"
)

// sessionCookie carries the token for the web pages.
const sessionCookie = "cc112_session"

type principalKey struct{}

// PrincipalFrom returns who made the request (nil on public routes, for
// machine clients authenticated by their own secret, and when auth is off).
func PrincipalFrom(ctx context.Context) *auth.Principal {
	p, _ := ctx.Value(principalKey{}).(*auth.Principal)
	return p
}

type sessionKey struct{}

// sessionOf is the session a request was authenticated with.
type sessionOf struct {
	auth  *auth.Store
	token string
}

// WatchSession calls end once the session that authenticated r ends
// (logout, password change, expiry): a websocket handler closes its socket
// then. release stops watching. Without a session nothing is watched.
func WatchSession(r *http.Request, end func()) (release func()) {
	s, ok := r.Context().Value(sessionKey{}).(sessionOf)
	if !ok || s.auth == nil {
		return func() {}
	}
	return s.auth.WatchSession(s.token, end)
}

// tokenSource says how a request presented its token: cookies need CSRF
// protection, bearer tokens do not.
type tokenSource int

const (
	noToken tokenSource = iota
	bearerToken
	cookieToken
	queryToken
)

// requestToken finds the token: Authorization: Bearer, then the session
// cookie, then ?token= on websocket routes only (browsers cannot set
// headers there; query strings elsewhere end up in logs and history). The
// route decides, never the client's Upgrade header.
func requestToken(r *http.Request, websocketRoute bool) (string, tokenSource) {
	if h := r.Header.Get("Authorization"); h != "" {
		if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
			return strings.TrimSpace(h[7:]), bearerToken
		}
		return "", noToken
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		return c.Value, cookieToken
	}
	if websocketRoute {
		if t := r.URL.Query().Get("token"); t != "" {
			return t, queryToken
		}
	}
	return "", noToken
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// clientAddr is the peer's address, without port (for audit and limits).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// guard wraps a route's handler with its access rule, CSRF protection and
// the audit of mutations; what of personal data the user sees is up to the
// handler, through the resources' views (Server.viewer). With no
// auth store configured (unit tests of other packages) it only runs the
// handler.
func (s *Server) guard(rt route) http.HandlerFunc {
	pattern := rt.Method + " " + rt.Pattern
	a := rt.Roles
	return func(w http.ResponseWriter, r *http.Request) {
		if s.auth == nil {
			rt.Handler(w, r)
			return
		}
		if !a.declared() {
			s.writeError(w, r, cc112.Errorf(cc112.EForbidden, "%s declares no roles: nobody may call it", pattern))
			return
		}
		var p *auth.Principal
		token, src := requestToken(r, a.websocket)
		if (!a.public || a.identify) && src != noToken {
			pr, err := s.auth.Authenticate(token)
			switch {
			case err == nil:
				p = &pr
			case a.identify:
				// Public anyway: a stale cookie must not break tracking.
			case a.machine && src == bearerToken:
				// Not a user's token: maybe the machine's own bearer
				// secret (Prometheus), which the handler checks.
			default:
				s.writeError(w, r, err)
				return
			}
		}
		switch {
		case a.public:
		case p == nil && a.machine:
			// The handler checks the client's own secret.
		case p == nil:
			s.writeError(w, r, cc112.Errorf(cc112.EUnauthenticated, "log in first: this needs a token"))
			return
		case !a.allows(p.Role):
			s.deny(w, r, p, pattern, a, cc112.RRoleForbidden, "role %s may not call %s", p.Role, pattern)
			return
		case a.unitParam != "" && p.Role == auth.UnitRole && r.PathValue(a.unitParam) != p.UnitID:
			s.deny(w, r, p, pattern, a, cc112.ROwnUnitOnly, "a unit may only report for itself (%s)", p.UnitID)
			return
		}
		if a.page && p != nil && !a.allows(p.Role) {
			http.Redirect(w, r, homePages[p.Role], http.StatusSeeOther)
			return
		}
		if a.websocket && !websocket.IsWebSocketUpgrade(r) {
			s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "%s is a websocket: connect with a websocket client (Upgrade: websocket)", pattern))
			return
		}
		if src == cookieToken && p != nil && unsafeMethod(r.Method) && !csrfOK(r) {
			s.deny(w, r, p, pattern, a, "", "cookie-authenticated %s needs the X-Requested-With header (CSRF protection)", r.Method)
			return
		}
		if p != nil {
			ctx := context.WithValue(r.Context(), principalKey{}, p)
			r = r.WithContext(context.WithValue(ctx, sessionKey{}, sessionOf{s.auth, token}))
		}
		audit := unsafeMethod(r.Method) && !a.stream && !a.selfAudited
		var sw *statusWriter
		if audit {
			sw = &statusWriter{ResponseWriter: w}
			w = sw
		}
		rt.Handler(w, r)
		if audit {
			s.audit(r, p, pattern, sw.code())
		}
	}
}

// deny answers 403 (with reason, if any) and audits an attempted mutation.
func (s *Server) deny(w http.ResponseWriter, r *http.Request, p *auth.Principal, pattern string, a access, reason, format string, args ...any) {
	s.writeError(w, r, cc112.Errorf(cc112.EForbidden, format, args...).Because(reason))
	if unsafeMethod(r.Method) && !a.stream {
		s.audit(r, p, pattern, http.StatusForbidden)
	}
}

func (s *Server) audit(r *http.Request, p *auth.Principal, pattern string, status int) {
	e := auth.Entry{Action: auth.ActionRequest, Addr: clientAddr(r), Method: r.Method, Path: r.URL.Path, Route: pattern, Status: status}
	if p != nil {
		e.User, e.Role = p.Username, p.Role
	}
	// Not the request's context: a client that hangs up does not erase its trace.
	if err := s.auth.Record(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.Error("audit record lost", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

// AuditCameraView records that the request's user opened a camera's live
// view: the CCTV handlers call it when a stream starts.
func (s *Server) AuditCameraView(r *http.Request, cameraID string) {
	s.auditRead(r, auth.ActionCameraView, cameraID)
}

// auditRead records a read worth a trace (a camera watched, evidence
// downloaded): who, what (target), from where.
func (s *Server) auditRead(r *http.Request, action, target string) {
	if s.auth == nil {
		return
	}
	e := auth.Entry{Action: action, Addr: clientAddr(r), Method: r.Method, Path: r.URL.Path, Target: target}
	if p := PrincipalFrom(r.Context()); p != nil {
		e.User, e.Role = p.Username, p.Role
	}
	if err := s.auth.Record(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.Error("audit record lost", "action", action, "target", target, "err", err)
	}
}

// csrfOK accepts a cookie-authenticated mutation only with a custom header
// (which a cross-site form or a simple request cannot send) and, when the
// browser says where it comes from, only from this host.
func csrfOK(r *http.Request) bool {
	if r.Header.Get("X-Requested-With") == "" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		host := strings.TrimPrefix(strings.TrimPrefix(o, "https://"), "http://")
		return subtle.ConstantTimeCompare([]byte(host), []byte(r.Host)) == 1
	}
	return true
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }
