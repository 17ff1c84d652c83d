package callcenter

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/geo"
)

// Limits of a complaint (the README's limits table repeats them).
const (
	MaxComplaintText = 4000 // characters
	maxAnswerText    = 4000
	maxEmail         = 254
	maxSource        = 40
	// MaxAttachment and MaxAttachments bound the files of one complaint
	// (an e-mail's photos): each, and how many.
	MaxAttachment  = 2 << 20
	MaxAttachments = 4
)

// NewComplaint is what a citizen files (the public form), what an inbound
// channel makes of a message (SMS, e-mail, a chat bridge), or what the
// desk types in for a phone call or a letter.
type NewComplaint struct {
	Channel  string     `json:"channel"`
	Name     string     `json:"name"`
	Phone    string     `json:"phone"`
	Email    string     `json:"email"`
	Text     string     `json:"text"`
	Category string     `json:"category"`
	Location *geo.Point `json:"location"`
	// Set by the inbound channels, never by a client's JSON.
	Source      string             `json:"-"`
	MessageID   string             `json:"-"`
	Attachments []cc112.Attachment `json:"-"`
}

func (n *NewComplaint) validate() error {
	if n.Channel == "" {
		n.Channel = "web"
	}
	if !slices.Contains(cc112.ComplaintChannels, n.Channel) {
		return cc112.Errorf(cc112.EInvalid, "unknown channel %q (one of %s)", n.Channel, strings.Join(cc112.ComplaintChannels, ", "))
	}
	n.Text = strings.TrimSpace(n.Text)
	if n.Text == "" {
		return cc112.Errorf(cc112.EInvalid, "text is required")
	}
	if err := cc112.CheckLines("text", n.Text, MaxComplaintText); err != nil {
		return err
	}
	n.Name = strings.TrimSpace(n.Name)
	if err := cc112.CheckText("name", n.Name, maxName); err != nil {
		return err
	}
	if n.Phone = strings.TrimSpace(n.Phone); n.Phone != "" {
		p, err := NormalizePhone(n.Phone)
		if err != nil {
			return err
		}
		n.Phone = p
	}
	if n.Email = strings.ToLower(strings.TrimSpace(n.Email)); n.Email != "" {
		a, err := mail.ParseAddress(n.Email)
		if err != nil || a.Address != n.Email || len(n.Email) > maxEmail {
			return cc112.Errorf(cc112.EInvalid, "email %q is not an e-mail address", n.Email)
		}
	}
	if err := cc112.CheckText("source", n.Source, maxSource); err != nil {
		return err
	}
	if len(n.Attachments) > MaxAttachments {
		return cc112.Errorf(cc112.EInvalid, "%d attachments; at most %d", len(n.Attachments), MaxAttachments)
	}
	for i, a := range n.Attachments {
		if len(a.Data) > MaxAttachment {
			return cc112.Errorf(cc112.EInvalid, "attachment %q has %d bytes; at most %d", a.Name, len(a.Data), MaxAttachment)
		}
		sum := sha256.Sum256(a.Data)
		n.Attachments[i].Size, n.Attachments[i].SHA256 = len(a.Data), hex.EncodeToString(sum[:])
	}
	if n.Category == "" {
		n.Category = "other"
	}
	if !slices.Contains(cc112.ComplaintCategories, n.Category) {
		return cc112.Errorf(cc112.EInvalid, "unknown category %q (one of %s)", n.Category, strings.Join(cc112.ComplaintCategories, ", "))
	}
	if n.Location != nil {
		if err := cc112.CheckPoint(*n.Location); err != nil {
			return err
		}
	}
	return nil
}

// Filed is the answer to a new complaint: the only time its tracking token
// is shown (only its hash is kept). Duplicate: an e-mail filed before
// (the same Message-ID), answered with the complaint and no token.
type Filed struct {
	*cc112.Complaint
	Token     string `json:"token,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

// token is a complaint's tracking token: derived from its id with the
// token key, so that a notice sent after a restart can still carry it
// although only its hash is journaled.
func (s *Service) token(id string) string {
	m := hmac.New(sha256.New, s.cfg.TokenKey)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// FileComplaint records a new complaint and returns it with a fresh
// tracking token. It takes no idempotency key: the journaled answer would
// hold the token in clear.
func (s *Service) FileComplaint(ctx context.Context, n NewComplaint) (*Filed, error) {
	if err := n.validate(); err != nil {
		return nil, err
	}
	district, kelurahan := "", ""
	if n.Location != nil && s.cfg.Districts != nil {
		district = s.cfg.Districts.Locate(*n.Location)
	}
	if n.Location != nil && s.cfg.Kelurahan != nil {
		kelurahan = s.cfg.Kelurahan.Locate(*n.Location)
	}
	var token string
	dup := false
	c, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (*cc112.Complaint, error) {
		if id, seen := s.byMessageID[n.MessageID]; n.MessageID != "" && seen {
			dup = true
			return s.complaints[id].Clone(), nil
		}
		c := &cc112.Complaint{ID: dispatch.NewID("cmp"), Channel: n.Channel, Name: n.Name, Phone: n.Phone, Email: n.Email,
			Source: n.Source, MessageID: n.MessageID, Attachments: n.Attachments, Text: n.Text,
			Category: n.Category, Location: n.Location, District: district, Kelurahan: kelurahan, Status: cc112.ComplaintReceived,
			ReceivedAt: tx.Now()}
		token = s.token(c.ID)
		c.TokenHash = hashToken(token)
		c.Number = s.numbers.Next(c.ReceivedAt)
		tx.Emit(cc112.EvComplaintReceived, c)
		s.notify(tx, s.complaints[c.ID], "receipt", "")
		return s.complaints[c.ID].Clone(), nil
	})
	if err != nil {
		return nil, err
	}
	if dup {
		return &Filed{Complaint: c, Duplicate: true}, nil
	}
	return &Filed{Complaint: c, Token: token}, nil
}

// PublicComplaint is what a citizen sees with their token: the state of
// their complaint, nobody's personal data.
type PublicComplaint struct {
	Number        string     `json:"number"`
	Status        string     `json:"status"`
	Category      string     `json:"category"`
	ReceivedAt    time.Time  `json:"received_at"`
	Agency        string     `json:"agency,omitempty"`
	Agencies      []string   `json:"agencies,omitempty"` // every agency it went to
	ForwardedAt   *time.Time `json:"forwarded_at,omitempty"`
	RespondedAt   *time.Time `json:"responded_at,omitempty"`
	Feedback      string     `json:"feedback,omitempty"`
	FeedbackAt    *time.Time `json:"feedback_at,omitempty"`
	FeedbackDueAt time.Time  `json:"feedback_due_at"`
	Rating        string     `json:"rating,omitempty"`
	RatedAt       *time.Time `json:"rated_at,omitempty"`
	Reopened      int        `json:"reopened,omitempty"`
	// CanRate: closed and not rated yet, so the page offers puas / tidak puas.
	CanRate bool `json:"can_rate"`
}

// Track returns a complaint to the citizen who holds its token. A wrong
// token and an unknown number look alike, so numbers cannot be probed.
func (s *Service) Track(number, token string) (*PublicComplaint, error) {
	var out *PublicComplaint
	s.eng.Read(func() {
		c := s.complaints[s.byNumber[number]]
		if c == nil || token == "" || subtle.ConstantTimeCompare([]byte(hashToken(token)), []byte(c.TokenHash)) != 1 {
			return
		}
		out = &PublicComplaint{Number: c.Number, Status: c.Status, Category: c.Category, ReceivedAt: c.ReceivedAt,
			Agency: c.Agency, ForwardedAt: c.ForwardedAt, RespondedAt: c.RespondedAt, Feedback: c.Feedback,
			FeedbackAt: c.FeedbackAt, FeedbackDueAt: c.FeedbackDueAt, Rating: c.Rating, RatedAt: c.RatedAt,
			Reopened: c.Reopened, CanRate: c.Status == cc112.ComplaintClosed && c.RatedAt == nil}
		for _, f := range c.Forwards {
			if !slices.Contains(out.Agencies, f.Agency) {
				out.Agencies = append(out.Agencies, f.Agency)
			}
		}
	})
	if out == nil {
		return nil, cc112.Errorf(cc112.ENotFound, "no complaint %q with this token", number)
	}
	return out, nil
}

// Complaint returns one complaint by id or number (the desk's view).
func (s *Service) Complaint(ref string) (*cc112.Complaint, error) {
	var out *cc112.Complaint
	s.eng.Read(func() {
		c := s.complaints[ref]
		if c == nil {
			c = s.complaints[s.byNumber[ref]]
		}
		if c != nil {
			out = c.Clone()
		}
	})
	if out == nil {
		return nil, cc112.Errorf(cc112.ENotFound, "complaint %q not found", ref)
	}
	return out, nil
}

// Attachment returns a complaint (without its files, to check who may see
// it) and its n-th attachment with the bytes.
func (s *Service) Attachment(ref string, n int) (*cc112.Complaint, *cc112.Attachment, error) {
	var c *cc112.Complaint
	var a *cc112.Attachment
	s.eng.Read(func() {
		x := s.complaints[ref]
		if x == nil {
			x = s.complaints[s.byNumber[ref]]
		}
		if x == nil {
			return
		}
		c = x.Clone()
		if n >= 0 && n < len(x.Attachments) {
			v := x.Attachments[n]
			v.Data = append([]byte(nil), v.Data...)
			a = &v
		}
	})
	if c == nil {
		return nil, nil, cc112.Errorf(cc112.ENotFound, "complaint %q not found", ref)
	}
	if a == nil {
		return c, nil, cc112.Errorf(cc112.ENotFound, "complaint %s has no attachment %d", c.Number, n)
	}
	return c, a, nil
}

// ComplaintFilter selects complaints for the desk's list. Empty fields
// match everything; From and To bound the receipt time [From, To).
type ComplaintFilter struct {
	Agency, Category, District, Status, Query string
	From, To                                  time.Time
	cc112.PageRequest
}

// Complaints pages through complaints, newest first.
func (s *Service) Complaints(f ComplaintFilter) (cc112.Page[*cc112.Complaint], error) {
	if f.Status != "" && !slices.Contains([]string{cc112.ComplaintReceived, cc112.ComplaintForwarded, cc112.ComplaintResponded, cc112.ComplaintClosed, "open", "overdue"}, f.Status) {
		return cc112.Page[*cc112.Complaint]{}, cc112.Errorf(cc112.EInvalid, "unknown status %q", f.Status)
	}
	// Numbered in order of receipt: the number breaks a tie in time.
	p, err := cc112.NewNewest(f.PageRequest, func(c *cc112.Complaint) cc112.PageKey {
		return cc112.PageKey{At: c.ReceivedAt, ID: c.Number}
	})
	if err != nil {
		return cc112.Page[*cc112.Complaint]{}, err
	}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	now := s.now()
	var page cc112.Page[*cc112.Complaint]
	s.eng.Read(func() {
		for _, c := range s.complaints {
			if f.match(c, q, now) {
				p.Offer(c)
			}
		}
		page = p.Page((*cc112.Complaint).Clone)
	})
	return page, nil
}

func (f *ComplaintFilter) match(c *cc112.Complaint, q string, now time.Time) bool {
	switch {
	case f.Agency != "" && !c.HasAgency(f.Agency),
		f.Category != "" && c.Category != f.Category,
		f.District != "" && !strings.EqualFold(c.District, f.District),
		!f.From.IsZero() && c.ReceivedAt.Before(f.From),
		!f.To.IsZero() && !c.ReceivedAt.Before(f.To):
		return false
	}
	switch f.Status {
	case "":
	case "open":
		if c.Status == cc112.ComplaintClosed {
			return false
		}
	case "overdue":
		if !c.Overdue(now) {
			return false
		}
	default:
		if c.Status != f.Status {
			return false
		}
	}
	if q != "" {
		hay := strings.ToLower(c.Number + " " + c.Text + " " + c.Name + " " + c.Phone + " " + c.Email + " " + c.Response + " " + c.Feedback)
		if !strings.Contains(hay, q) {
			return false
		}
	}
	return true
}

// Forward sends a received complaint to one or several agencies' complaint
// teams at once; each agency's response SLA starts.
func (s *Service) Forward(ctx context.Context, id string, agencies []string, key, fp string) (*cc112.Complaint, error) {
	if err := s.checkAgencies(agencies); err != nil {
		return nil, err
	}
	return s.complaintCommand(ctx, id, key, fp, func(tx *dispatch.Tx, c *cc112.Complaint) error {
		if c.Status != cc112.ComplaintReceived {
			return cc112.Errorf(cc112.EConflict, "complaint %s is %s: only a received complaint can be forwarded (a re-forward names the agency it leaves and why)", c.Number, c.Status)
		}
		tx.Emit(cc112.EvComplaintForwarded, cc112.ComplaintStepPayload{ComplaintID: c.ID, Agencies: agencies})
		s.notify(tx, c, "forwarded", "")
		return nil
	})
}

// Reforward takes a complaint from an agency that says it is not theirs
// (reason required) to other agencies, each with a new SLA clock.
func (s *Service) Reforward(ctx context.Context, id, from string, to []string, reason, key, fp string) (*cc112.Complaint, error) {
	if err := s.checkAgencies(to); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, cc112.Errorf(cc112.EInvalid, "reason is required: why the complaint is not %s's", from)
	}
	if err := cc112.CheckText("reason", reason, maxAnswerText); err != nil {
		return nil, err
	}
	return s.complaintCommand(ctx, id, key, fp, func(tx *dispatch.Tx, c *cc112.Complaint) error {
		if openForward(c, from) < 0 {
			return cc112.Errorf(cc112.EConflict, "complaint %s is not open at %q: nothing to re-forward", c.Number, from)
		}
		for _, a := range to {
			if a == from || openForward(c, a) >= 0 {
				return cc112.Errorf(cc112.EConflict, "complaint %s is already open at %s", c.Number, a)
			}
		}
		tx.Emit(cc112.EvComplaintReforwarded, cc112.ComplaintStepPayload{ComplaintID: c.ID, Agency: from, Agencies: to, Text: reason})
		s.notify(tx, c, "forwarded", "")
		return nil
	})
}

func (s *Service) checkAgencies(agencies []string) error {
	if len(agencies) == 0 {
		return cc112.Errorf(cc112.EInvalid, "agencies is required: one or more of %s", strings.Join(s.cfg.Agencies, ", "))
	}
	for i, a := range agencies {
		if !slices.Contains(s.cfg.Agencies, a) {
			return cc112.Errorf(cc112.EInvalid, "unknown agency %q (one of %s)", a, strings.Join(s.cfg.Agencies, ", "))
		}
		if slices.Contains(agencies[:i], a) {
			return cc112.Errorf(cc112.EInvalid, "agency %q named twice", a)
		}
	}
	return nil
}

// openForward is the index of agency's open forward ("": the first open
// one), -1 without.
func openForward(c *cc112.Complaint, agency string) int {
	for i, f := range c.Forwards {
		if f.Status == cc112.ForwardOpen && (agency == "" || f.Agency == agency) {
			return i
		}
	}
	return -1
}

// Respond records an agency's answer: agency is the answering team's (""
// answers the first open forward).
func (s *Service) Respond(ctx context.Context, id, agency, text, key, fp string) (*cc112.Complaint, error) {
	text, err := answerText(text)
	if err != nil {
		return nil, err
	}
	return s.complaintCommand(ctx, id, key, fp, func(tx *dispatch.Tx, c *cc112.Complaint) error {
		i := openForward(c, agency)
		if i < 0 {
			return cc112.Errorf(cc112.EConflict, "complaint %s is %s: nothing open to answer", c.Number, c.Status)
		}
		tx.Emit(cc112.EvComplaintResponded, cc112.ComplaintStepPayload{ComplaintID: c.ID, Agency: c.Forwards[i].Agency, Text: text})
		s.notify(tx, c, "answered", text)
		return nil
	})
}

// Feedback records the desk's word to the citizen and closes the complaint.
func (s *Service) Feedback(ctx context.Context, id, text, key, fp string) (*cc112.Complaint, error) {
	text, err := answerText(text)
	if err != nil {
		return nil, err
	}
	return s.complaintCommand(ctx, id, key, fp, func(tx *dispatch.Tx, c *cc112.Complaint) error {
		if c.Status == cc112.ComplaintClosed {
			return cc112.Errorf(cc112.EConflict, "complaint %s is closed: feedback was given", c.Number)
		}
		tx.Emit(cc112.EvComplaintFeedback, cc112.ComplaintStepPayload{ComplaintID: c.ID, Text: text})
		s.notify(tx, c, "closed", text)
		return nil
	})
}

// Rate is the citizen's verdict with their token: puas closes the loop,
// tidak puas (with the reason) reopens the complaint to the desk.
func (s *Service) Rate(ctx context.Context, number, token, rating, text string) (*PublicComplaint, error) {
	if rating != cc112.RatingSatisfied && rating != cc112.RatingNotSatisfied {
		return nil, cc112.Errorf(cc112.EInvalid, "rating must be %s or %s", cc112.RatingSatisfied, cc112.RatingNotSatisfied)
	}
	text = strings.TrimSpace(text)
	if err := cc112.CheckLines("text", text, maxAnswerText); err != nil {
		return nil, err
	}
	if rating == cc112.RatingNotSatisfied && text == "" {
		return nil, cc112.Errorf(cc112.EInvalid, "text is required: say what is still wrong")
	}
	if _, err := s.Track(number, token); err != nil {
		return nil, err
	}
	_, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (any, error) {
		c := s.complaints[s.byNumber[number]]
		if c.Status != cc112.ComplaintClosed || c.RatedAt != nil {
			return nil, cc112.Errorf(cc112.EConflict, "complaint %s is %s: it can be rated once it is closed, once", c.Number, c.Status)
		}
		tx.Emit(cc112.EvComplaintRated, cc112.ComplaintStepPayload{ComplaintID: c.ID, Rating: rating, Text: text})
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return s.Track(number, token)
}

func answerText(t string) (string, error) {
	t = strings.TrimSpace(t)
	if t == "" {
		return "", cc112.Errorf(cc112.EInvalid, "text is required")
	}
	return t, cc112.CheckLines("text", t, maxAnswerText)
}

func (s *Service) complaintCommand(ctx context.Context, id, key, fp string, fn func(*dispatch.Tx, *cc112.Complaint) error) (*cc112.Complaint, error) {
	return dispatch.Run(ctx, s.eng, key, fp, func(tx *dispatch.Tx) (*cc112.Complaint, error) {
		c, ok := s.complaints[id]
		if !ok {
			if c, ok = s.complaints[s.byNumber[id]]; !ok {
				return nil, cc112.Errorf(cc112.ENotFound, "complaint %q not found", id)
			}
		}
		if err := fn(tx, c); err != nil {
			return nil, err
		}
		return c.Clone(), nil
	})
}

func (s *Service) applyComplaintReceived(at time.Time, c cc112.Complaint, changed changedFunc) error {
	if _, dup := s.complaints[c.ID]; dup {
		return fmt.Errorf("complaint %q exists", c.ID)
	}
	counted := s.numbers.Count(c.ReceivedAt)
	if c.Number == "" { // journaled before numbers were
		c.Number = counted
	}
	// Deadlines come from the SLAs in force, so a restart with other flags
	// recomputes them.
	c.FeedbackDueAt = c.ReceivedAt.Add(s.cfg.FeedbackSLA)
	c.TriageDueAt = c.ReceivedAt.Add(s.cfg.TriageSLA)
	s.recognise(&c)
	s.complaints[c.ID] = &c
	s.byNumber[c.Number] = c.ID
	s.open[c.ID] = true
	if c.MessageID != "" {
		s.byMessageID[c.MessageID] = c.ID
	}
	changed(cc112.LiveComplaintCreated, func() any { return c.Clone() })
	return nil
}

func (s *Service) complaintFor(p cc112.ComplaintStepPayload) (*cc112.Complaint, error) {
	c, ok := s.complaints[p.ComplaintID]
	if !ok {
		return nil, fmt.Errorf("unknown complaint %q", p.ComplaintID)
	}
	return c, nil
}

// addForwards opens a forward per agency, each with its own SLA clock.
func (s *Service) addForwards(c *cc112.Complaint, at time.Time, agencies []string) {
	for _, a := range agencies {
		c.Forwards = append(c.Forwards, cc112.Forward{Agency: a, Status: cc112.ForwardOpen, ForwardedAt: at,
			ResponseDueAt: at.Add(s.cfg.ResponseSLA)})
	}
	if c.ForwardedAt == nil && len(c.Forwards) > 0 {
		c.Agency, c.ForwardedAt, c.ResponseDueAt = c.Forwards[0].Agency, timePtr(at), timePtr(c.Forwards[0].ResponseDueAt)
	}
	c.Status = cc112.ComplaintForwarded
}

func (s *Service) applyForwarded(at time.Time, p cc112.ComplaintStepPayload, changed changedFunc) error {
	c, err := s.complaintFor(p)
	if err != nil {
		return err
	}
	agencies := p.Agencies
	if len(agencies) == 0 { // journaled before several agencies were
		agencies = []string{p.Agency}
	}
	s.addForwards(c, at, agencies)
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

func (s *Service) applyReforwarded(at time.Time, p cc112.ComplaintStepPayload, changed changedFunc) error {
	c, err := s.complaintFor(p)
	if err != nil {
		return err
	}
	i := openForward(c, p.Agency)
	if i < 0 {
		return fmt.Errorf("complaint %s is not open at %q", c.ID, p.Agency)
	}
	c.Forwards[i].Status, c.Forwards[i].Reason = cc112.ForwardRejected, p.Text
	s.addForwards(c, at, p.Agencies)
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

func (s *Service) applyResponded(at time.Time, p cc112.ComplaintStepPayload, changed changedFunc) error {
	c, err := s.complaintFor(p)
	if err != nil {
		return err
	}
	if i := openForward(c, p.Agency); i >= 0 {
		c.Forwards[i].Status, c.Forwards[i].Response, c.Forwards[i].RespondedAt = cc112.ForwardAnswered, p.Text, timePtr(at)
	}
	c.Response, c.RespondedAt = p.Text, timePtr(at)
	if openForward(c, "") < 0 {
		c.Status = cc112.ComplaintResponded
	}
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

func (s *Service) applyFeedback(at time.Time, p cc112.ComplaintStepPayload, changed changedFunc) error {
	c, err := s.complaintFor(p)
	if err != nil {
		return err
	}
	c.Status, c.Feedback = cc112.ComplaintClosed, p.Text
	if c.FeedbackAt == nil { // the first feedback counts for the 24 h SLA
		c.FeedbackAt = timePtr(at)
	}
	delete(s.open, c.ID)
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

// applyRated records the citizen's verdict; not satisfied reopens the
// complaint to the desk with fresh triage and feedback clocks.
func (s *Service) applyRated(at time.Time, p cc112.ComplaintStepPayload, changed changedFunc) error {
	c, err := s.complaintFor(p)
	if err != nil {
		return err
	}
	c.Rating, c.RatingText, c.RatedAt = p.Rating, p.Text, timePtr(at)
	if p.Rating == cc112.RatingNotSatisfied {
		c.Status, c.Reopened, c.ReopenedAt = cc112.ComplaintReceived, c.Reopened+1, timePtr(at)
		c.TriageDueAt, c.TriageAlertAt = at.Add(s.cfg.TriageSLA), nil
		c.FeedbackDueAt = at.Add(s.cfg.FeedbackSLA)
		c.RatedAt = nil // the next closing may be rated again
		s.open[c.ID] = true
	}
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

func (s *Service) applyTriageOverdue(at time.Time, p cc112.ComplaintStepPayload, changed changedFunc) error {
	c, err := s.complaintFor(p)
	if err != nil {
		return err
	}
	c.TriageAlertAt = timePtr(at)
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}
