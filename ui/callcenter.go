package ui

import (
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"cc112"
	"cc112/auth"
	"cc112/callcenter"
	"cc112/dispatch"
)

// The call-taking and complaint endpoints. They answer 503 when dispatchd
// runs without the call center.

func (s *Server) needCalls(w http.ResponseWriter, r *http.Request) bool {
	if s.calls == nil {
		s.writeError(w, r, cc112.Errorf(cc112.EUnavailable, "the call center is not configured"))
		return false
	}
	return true
}

func (s *Server) postCall(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	var req callcenter.NewCall
	s.command(w, r, http.StatusCreated, &req, func(key, fp string) (any, error) {
		return s.calls.StartCall(r.Context(), req, key, fp)
	})
}

func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	req, err := pageParams(r.URL.Query())
	var page cc112.Page[*callcenter.Call]
	if err == nil {
		page, err = s.calls.Calls(r.URL.Query().Get("status"), req)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page.Items = visible(page.Items, s.viewer(r), (*callcenter.Call).For)
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) getCall(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	c, err := s.calls.Call(r.PathValue("id"))
	if err == nil && c.For(s.viewer(r)) == nil {
		err = cc112.Errorf(cc112.EForbidden, "this account may not read calls")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) postCallLocation(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	var req callcenter.ManualLocation
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		return s.calls.SetLocation(r.Context(), r.PathValue("id"), req, key, fp)
	})
}

func (s *Server) postCallClose(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		return s.calls.CloseCall(r.Context(), r.PathValue("id"), req.Reason, key, fp)
	})
}

// maxAMLBody bounds an AML request: a few concatenated SMS, or the form.
const maxAMLBody = 8 << 10

// postAML takes an AML SMS (text/plain, the sender in ?from=) or the HTTPS
// form (application/x-www-form-urlencoded). 200: attached to the caller's
// call; 202: kept for a call that starts within a minute.
func (s *Server) postAML(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAMLBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			err = cc112.Errorf(cc112.EInvalid, "could not read the request body: %v", err)
		}
		s.writeError(w, r, err)
		return
	}
	if err := s.amlSecretOK(r, mt == "application/x-www-form-urlencoded" && len(s.set.AMLKey) > 0); err != nil {
		s.writeError(w, r, err)
		return
	}
	var a callcenter.AML
	switch mt {
	case "text/plain":
		a, err = callcenter.ParseAMLSMS(string(body), r.URL.Query().Get("from"))
	case "application/x-www-form-urlencoded":
		a, err = callcenter.ParseAMLForm(string(body), s.set.AMLKey)
	default:
		err = cc112.Errorf(cc112.EInvalid, "Content-Type must be text/plain (AML SMS) or application/x-www-form-urlencoded (AML HTTPS), not %q", r.Header.Get("Content-Type"))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.calls.AttachAML(r.Context(), a)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Status == "pending" {
		status = http.StatusAccepted
	}
	writeJSON(w, status, res)
}

func (s *Server) getDuplicates(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	q := r.URL.Query()
	p, err := pointParam(q.Get("lat"), q.Get("lon"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.calls.Duplicates(p, cc112.Category(q.Get("category")))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v := s.viewer(r)
	for k := range list {
		list[k].Incident = list[k].Incident.For(v)
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) postIncidentCall(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	var req struct {
		CallID string `json:"call_id"`
	}
	s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
		return s.calls.LinkCall(r.Context(), r.PathValue("id"), req.CallID, key, fp)
	})
}

// createIncident is the engine's, or the call center's when the body names
// a call_id (the incident then takes the call's caller and location).
func (s *Server) createIncident(r *http.Request, n dispatch.NewIncident, key, fp string) (*cc112.Incident, error) {
	if n.CallID != "" && s.calls != nil {
		return s.calls.CreateIncident(r.Context(), n, key, fp)
	}
	return s.eng.CreateIncident(r.Context(), n, key, fp)
}

// postComplaint is public: rate-limited per client address. It takes no
// Idempotency-Key (the answer holds the tracking token, which is never
// journaled in clear).
func (s *Server) postComplaint(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	if ok, wait := s.complaintLimit.allow(clientKey(r)); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.writeError(w, r, cc112.Errorf(cc112.ERateLimited, "terlalu banyak aduan dari alamat ini; coba lagi sebentar lagi (too many complaints from this address)"))
		return
	}
	s.fileComplaint(w, r, "the public form files web complaints; the desk enters phone calls and letters (/api/v1/complaints/entry)", "", "web")
}

// fileComplaint files the body's complaint if its channel is one of
// channels (else refused with why), and answers it with its token.
func (s *Server) fileComplaint(w http.ResponseWriter, r *http.Request, why string, channels ...string) {
	var req callcenter.NewComplaint
	if !s.readJSON(w, r, &req) {
		return
	}
	if !slices.Contains(channels, req.Channel) {
		s.writeError(w, r, cc112.Errorf(cc112.EInvalid, "channel %q: %s", req.Channel, why))
		return
	}
	filed, err := s.calls.FileComplaint(r.Context(), req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, filed)
}

// getComplaint is the citizen's tracking view with ?token=, the desk's
// full view without.
func (s *Server) getComplaint(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	var v any
	var err error
	if tok, ok := r.URL.Query()["token"]; ok {
		// Public tracking: the status, never the reporter's identity.
		v, err = s.calls.Track(r.PathValue("ref"), strings.Join(tok, ""))
	} else if err = s.deskOnly(r); err == nil {
		v, err = s.agencyComplaint(r, r.PathValue("ref"))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) listComplaints(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	q := r.URL.Query()
	f := callcenter.ComplaintFilter{Agency: q.Get("agency"), Category: q.Get("category"), District: q.Get("district"),
		Status: q.Get("status"), Query: q.Get("q")}
	if agency, scoped := agencyScope(r); scoped {
		if f.Agency != "" && f.Agency != agency {
			s.writeError(w, r, cc112.Errorf(cc112.EForbidden, "an agency team sees only its own complaints (%s)", agency))
			return
		}
		f.Agency = agency
	}
	var err error
	if f.From, err = timeParam(q.Get("from"), "from"); err == nil {
		f.To, err = timeParam(q.Get("to"), "to")
	}
	if err == nil {
		f.PageRequest, err = pageParams(q)
	}
	var page cc112.Page[*cc112.Complaint]
	if err == nil {
		page, err = s.calls.Complaints(f)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page.Items = visible(page.Items, s.viewer(r), (*cc112.Complaint).For)
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) complaintReport(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	q := r.URL.Query()
	from, err := timeParam(q.Get("from"), "from")
	var to time.Time
	if err == nil {
		to, err = timeParam(q.Get("to"), "to")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if to.IsZero() {
		to = s.eng.Clock().Now()
	}
	if from.IsZero() {
		from = to.Add(-30 * 24 * time.Hour)
	}
	rep, err := s.calls.Report(from, to, q.Get("bucket"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// complaintMeta tells the pages what they may choose and the SLAs.
func (s *Server) complaintMeta(w http.ResponseWriter, r *http.Request) {
	if !s.needCalls(w, r) {
		return
	}
	resp, fb := s.calls.SLAs()
	writeJSON(w, http.StatusOK, map[string]any{
		"agencies": s.calls.Agencies(), "categories": cc112.ComplaintCategories,
		"channels": cc112.ComplaintChannels, "statuses": cc112.ComplaintStatuses, "response_sla_s": resp.Seconds(), "feedback_sla_s": fb.Seconds(),
		"triage_sla_s": s.calls.TriageSLA().Seconds(), "category_agencies": s.calls.CategoryAgencies(),
		"max_text": callcenter.MaxComplaintText, "now": s.eng.Clock().Now(),
	})
}

func (s *Server) complaintAction(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.needCalls(w, r) {
			return
		}
		var req struct {
			Agency   string   `json:"agency"`   // forward: one agency (as before several)
			Agencies []string `json:"agencies"` // forward: several at once
			From     string   `json:"from"`     // re-forward: the agency that says it is not theirs
			Reason   string   `json:"reason"`   // re-forward: why
			Text     string   `json:"text"`
		}
		s.command(w, r, http.StatusOK, &req, func(key, fp string) (any, error) {
			id := r.PathValue("id")
			if action != "forward" && (req.Agency != "" || len(req.Agencies) > 0 || req.From != "" || req.Reason != "") {
				return nil, cc112.Errorf(cc112.EInvalid, "%s takes text only", action)
			}
			switch action {
			case "forward":
				if req.Text != "" {
					return nil, cc112.Errorf(cc112.EInvalid, "forward takes agencies (or agency), and from and reason to re-forward")
				}
				agencies := req.Agencies
				if req.Agency != "" {
					agencies = append(agencies, req.Agency)
				}
				if req.From != "" || req.Reason != "" {
					return s.calls.Reforward(r.Context(), id, req.From, agencies, req.Reason, key, fp)
				}
				return s.calls.Forward(r.Context(), id, agencies, key, fp)
			case "respond":
				if _, err := s.agencyComplaint(r, id); err != nil {
					return nil, err
				}
				agency, _ := agencyScope(r)
				return s.calls.Respond(r.Context(), id, agency, req.Text, key, fp)
			}
			return s.calls.Feedback(r.Context(), id, req.Text, key, fp)
		})
	}
}

// timeParam reads an RFC 3339 time or a WIB date (YYYY-MM-DD).
func timeParam(v, name string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		if t, err = time.ParseInLocation("2006-01-02", v, cc112.WIB); err != nil {
			return time.Time{}, cc112.Errorf(cc112.EInvalid, "%s must be an RFC 3339 time or a date YYYY-MM-DD, not %q", name, v)
		}
	}
	return t, cc112.CheckInstant(name, t)
}

// agencyScope says whether the request comes from an agency's complaint
// team, and which agency: such a user sees and answers only the complaints
// forwarded to it.
func agencyScope(r *http.Request) (agency string, scoped bool) {
	p := PrincipalFrom(r.Context())
	if p == nil || p.Role != auth.Agency {
		return "", false
	}
	return p.Agency, true
}

// agencyComplaint returns a complaint by id or number, as a not-found to an
// agency team it was not forwarded to (it does not learn that it exists).
func (s *Server) agencyComplaint(r *http.Request, ref string) (*cc112.Complaint, error) {
	c, err := s.calls.Complaint(ref)
	if err != nil {
		return nil, err
	}
	if c.For(s.viewer(r)) == nil {
		return nil, cc112.Errorf(cc112.ENotFound, "complaint %q not found", ref)
	}
	return c, nil
}

// deskOnly guards the desk's view of one complaint on a route that is
// public for tracking: it needs a user of the complaint desk.
func (s *Server) deskOnly(r *http.Request) error {
	if s.auth == nil {
		return nil
	}
	p := PrincipalFrom(r.Context())
	switch {
	case p == nil:
		return cc112.Errorf(cc112.EUnauthenticated, "log in first, or track the complaint with its ?token=")
	case !complaintDesk.allows(p.Role):
		return cc112.Errorf(cc112.EForbidden, "role %s may not read complaints", p.Role)
	}
	return nil
}
