package ui

import (
	"context"
	"encoding/json"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"cc112"
	"cc112/auth"
)

// postLogin checks a password and opens a session: the token in the answer
// (for API clients) and in an HttpOnly cookie (for the web pages).
func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) {
	// JSON only: a cross-site HTML form cannot send it without a CORS preflight.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "login takes a JSON body (Content-Type: application/json)"))
		return
	}
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if !s.readJSON(w, r, &req) {
		return
	}
	req.Username = strings.ToLower(strings.TrimSpace(req.Username))
	addr := clientAddr(r)
	// Reserve the attempt before the (slow) password check: counting only
	// after it let concurrent guesses all pass the limit.
	attempt, wait := s.logins.Begin(req.Username, addr)
	if attempt == nil {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.writeError(w, r, cc112.Errorf(cc112.ERateLimited, "too many failed logins: wait before trying again"))
		return
	}
	sess, err := s.auth.Login(r.Context(), req.Username, req.Password, addr)
	if err != nil {
		if cc112.ErrorCode(err) != cc112.EUnauthenticated {
			attempt.Abandoned()
		} else {
			for _, a := range attempt.Failed() {
				s.alertSpray(r, a)
			}
		}
		s.writeError(w, r, err)
		return
	}
	attempt.Succeeded()
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.Token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || s.set.SecureCookies,
	})
	writeJSON(w, http.StatusOK, sess)
}

// alertSpray tells the admin of a login spray: a warning in the log and a
// login_spray entry in the journaled audit (GET /api/v1/audit?action=login_spray).
func (s *Server) alertSpray(r *http.Request, a auth.LoginAlert) {
	e := auth.Entry{Action: auth.ActionLoginSpray, Addr: a.Addr, Target: a.User}
	if a.User != "" {
		s.log.Warn("login spray: one user failed from many addresses", "user", a.User, "failures", a.Failures, "last_addr", a.Addr)
	} else {
		s.log.Warn("login spray: one address failed at many users", "addr", a.Addr, "failures", a.Failures)
	}
	if err := s.auth.Record(context.WithoutCancel(r.Context()), e); err != nil {
		s.log.Error("audit record lost", "action", e.Action, "err", err)
	}
}

func (s *Server) postLogout(w http.ResponseWriter, r *http.Request) {
	token, _ := requestToken(r, false)
	if err := s.auth.Logout(r.Context(), token, *PrincipalFrom(r.Context()), clientAddr(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || s.set.SecureCookies})
	w.WriteHeader(http.StatusNoContent)
}

// Me is the logged-in user and what the route table lets it do: the pages
// it may open (its home first), the staff pages it may not (a page hides
// its links to them), and the API routes it may call, as "METHOD
// pattern". Pages hide what the server would refuse by asking these,
// never a list of their own.
type Me struct {
	auth.Principal
	Home       string   `json:"home"`
	Pages      []string `json:"pages"`
	OtherPages []string `json:"other_pages"`
	Routes     []string `json:"routes"`
}

// meOf derives p's pages and routes from the route table.
func (s *Server) meOf(p auth.Principal) Me {
	m := Me{Principal: p, Home: homePages[p.Role], Pages: []string{homePages[p.Role]}, OtherPages: []string{}, Routes: []string{}}
	for _, rt := range s.routes {
		page := strings.TrimSuffix(rt.Pattern, "{$}")
		switch {
		case rt.Roles.page && rt.Roles.allows(p.Role):
			if !slices.Contains(m.Pages, page) {
				m.Pages = append(m.Pages, page)
			}
		case rt.Roles.page:
			m.OtherPages = append(m.OtherPages, page)
		case rt.Roles.allows(p.Role):
			m.Routes = append(m.Routes, rt.Method+" "+rt.Pattern)
		}
	}
	return m
}

// getMe names the logged-in user with what the route table lets it do. A
// wall's page asks it now and then, and that renews the wall's session (and
// its cookie): a kiosk stays logged in for as long as it is on, and an
// admin ends it (revoke).
func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	p := PrincipalFrom(r.Context())
	if p == nil { // access control off (unit tests of handlers)
		writeJSON(w, http.StatusOK, nil)
		return
	}
	if p.Role == auth.Wall {
		token, src := requestToken(r, false)
		exp, renewed, err := s.auth.Renew(r.Context(), token)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if renewed && src == cookieToken {
			http.SetCookie(w, &http.Cookie{
				Name: sessionCookie, Value: token, Path: "/", Expires: exp,
				HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || s.set.SecureCookies,
			})
		}
	}
	writeJSON(w, http.StatusOK, s.meOf(*p))
}

// postUserRevoke ends every session of a user (a wall taken down, a lost
// device) without changing its password.
func (s *Server) postUserRevoke(w http.ResponseWriter, r *http.Request) {
	if err := s.auth.RevokeSessions(r.Context(), r.PathValue("username"), *PrincipalFrom(r.Context()), clientAddr(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// getMyAssignment is a unit user's view: its unit and the incident it is
// assigned to (null when free). The field view polls it until the live
// feed tells it of changes.
func (s *Server) getMyAssignment(w http.ResponseWriter, r *http.Request) {
	p := PrincipalFrom(r.Context())
	u, err := s.eng.Unit(p.UnitID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Unit     cc112.Unit      `json:"unit"`
		Incident *cc112.Incident `json:"incident"`
	}{Unit: u}
	if u.IncidentID != "" {
		if inc, err := s.eng.Incident(u.IncidentID); err == nil {
			out.Incident = inc.For(s.viewer(r)) // its callback number, not who called
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := auth.AuditFilter{User: q.Get("user"), Action: q.Get("action")}
	var err error
	if f.PageRequest, err = pageParams(q); err == nil {
		f.From, err = timeParam(q.Get("from"), "from")
	}
	if err == nil {
		f.To, err = timeParam(q.Get("to"), "to")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := s.auth.Audit(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.auth.Users())
}

func (s *Server) postUser(w http.ResponseWriter, r *http.Request) {
	var req auth.NewUser
	body, err := readBody(w, r)
	if err == nil {
		err = decodeStrict(body, &req)
	}
	var key, fp string
	if err == nil {
		// The fingerprint is journaled: never a fast hash of the password
		// (the store checks a retry's password against the user's hash).
		noPassword := req
		noPassword.Password = ""
		body, _ = json.Marshal(noPassword)
		key, fp, err = idempotency(r, body)
	}
	var u auth.User
	if err == nil {
		u, err = s.auth.AddUser(r.Context(), req, key, fp, *PrincipalFrom(r.Context()), clientAddr(r))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) postUserPassword(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Password string `json:"password"`
	}
	body, err := readBody(w, r)
	if err == nil {
		err = decodeStrict(body, &req)
	}
	if err == nil {
		err = s.auth.SetPassword(r.Context(), r.PathValue("username"), req.Password, *PrincipalFrom(r.Context()), clientAddr(r))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
