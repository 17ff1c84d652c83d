package callcenter

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"cc112"
	"cc112/dispatch"
	"cc112/geo"
)

// Limits of a public complaint.
const (
	MaxComplaintText = 4000 // characters
	maxAnswerText    = 4000
)

// NewComplaint is what a citizen (or the desk, for phone and SMS) files.
type NewComplaint struct {
	Channel  string     `json:"channel"`
	Name     string     `json:"name"`
	Phone    string     `json:"phone"`
	Text     string     `json:"text"`
	Category string     `json:"category"`
	Location *geo.Point `json:"location"`
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
// is shown (only its hash is kept).
type Filed struct {
	*cc112.Complaint
	Token string `json:"token"`
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
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("callcenter: token: %w", err)
	}
	token := hex.EncodeToString(b[:])
	district := ""
	if n.Location != nil && s.cfg.Districts != nil {
		district = s.cfg.Districts.Locate(*n.Location)
	}
	c, err := dispatch.Run(ctx, s.eng, "", "", func(tx *dispatch.Tx) (*cc112.Complaint, error) {
		c := &cc112.Complaint{ID: dispatch.NewID("cmp"), Channel: n.Channel, Name: n.Name, Phone: n.Phone, Text: n.Text,
			Category: n.Category, Location: n.Location, District: district, Status: cc112.ComplaintReceived,
			ReceivedAt: tx.Now(), TokenHash: hashToken(token)}
		c.Number = s.numbers.Next(c.ReceivedAt)
		tx.Emit(cc112.EvComplaintReceived, c)
		return s.complaints[c.ID].Clone(), nil
	})
	if err != nil {
		return nil, err
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
	ForwardedAt   *time.Time `json:"forwarded_at,omitempty"`
	RespondedAt   *time.Time `json:"responded_at,omitempty"`
	Feedback      string     `json:"feedback,omitempty"`
	FeedbackAt    *time.Time `json:"feedback_at,omitempty"`
	FeedbackDueAt time.Time  `json:"feedback_due_at"`
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
			FeedbackAt: c.FeedbackAt, FeedbackDueAt: c.FeedbackDueAt}
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

// ComplaintFilter selects complaints for the desk's list. Empty fields
// match everything; From and To bound the receipt time [From, To).
type ComplaintFilter struct {
	Agency, Category, District, Status, Query string
	From, To                                  time.Time
	Limit                                     int
}

// Complaints lists complaints, newest first.
func (s *Service) Complaints(f ComplaintFilter) ([]*cc112.Complaint, error) {
	if f.Status != "" && !slices.Contains([]string{cc112.ComplaintReceived, cc112.ComplaintForwarded, cc112.ComplaintResponded, cc112.ComplaintClosed, "open", "overdue"}, f.Status) {
		return nil, cc112.Errorf(cc112.EInvalid, "unknown status %q", f.Status)
	}
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 1000
	}
	q := strings.ToLower(strings.TrimSpace(f.Query))
	now := s.now()
	out := []*cc112.Complaint{}
	s.eng.Read(func() {
		for _, c := range s.complaints {
			if !f.match(c, q, now) {
				continue
			}
			out = append(out, c.Clone())
		}
	})
	sort.Slice(out, func(a, b int) bool {
		if !out[a].ReceivedAt.Equal(out[b].ReceivedAt) {
			return out[a].ReceivedAt.After(out[b].ReceivedAt)
		}
		return out[a].Number > out[b].Number // numbered in order of receipt
	})
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

func (f *ComplaintFilter) match(c *cc112.Complaint, q string, now time.Time) bool {
	switch {
	case f.Agency != "" && c.Agency != f.Agency,
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
		hay := strings.ToLower(c.Number + " " + c.Text + " " + c.Name + " " + c.Phone + " " + c.Response + " " + c.Feedback)
		if !strings.Contains(hay, q) {
			return false
		}
	}
	return true
}

// Forward sends a complaint to an agency's complaint team; the response
// SLA starts.
func (s *Service) Forward(ctx context.Context, id, agency, key, fp string) (*cc112.Complaint, error) {
	if !slices.Contains(s.cfg.Agencies, agency) {
		return nil, cc112.Errorf(cc112.EInvalid, "unknown agency %q (one of %s)", agency, strings.Join(s.cfg.Agencies, ", "))
	}
	return s.complaintCommand(ctx, id, key, fp, func(tx *dispatch.Tx, c *cc112.Complaint) error {
		if c.Status != cc112.ComplaintReceived {
			return cc112.Errorf(cc112.EConflict, "complaint %s is %s: only a received complaint can be forwarded", c.Number, c.Status)
		}
		tx.Emit(cc112.EvComplaintForwarded, cc112.ComplaintStepPayload{ComplaintID: c.ID, Agency: agency})
		return nil
	})
}

// Respond records the agency's answer.
func (s *Service) Respond(ctx context.Context, id, text, key, fp string) (*cc112.Complaint, error) {
	text, err := answerText(text)
	if err != nil {
		return nil, err
	}
	return s.complaintCommand(ctx, id, key, fp, func(tx *dispatch.Tx, c *cc112.Complaint) error {
		if c.Status != cc112.ComplaintForwarded {
			return cc112.Errorf(cc112.EConflict, "complaint %s is %s: only a forwarded complaint can be answered", c.Number, c.Status)
		}
		tx.Emit(cc112.EvComplaintResponded, cc112.ComplaintStepPayload{ComplaintID: c.ID, Text: text})
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
		return nil
	})
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
	s.complaints[c.ID] = &c
	s.byNumber[c.Number] = c.ID
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

func (s *Service) applyForwarded(at time.Time, p cc112.ComplaintStepPayload, changed changedFunc) error {
	c, err := s.complaintFor(p)
	if err != nil {
		return err
	}
	c.Status, c.Agency, c.ForwardedAt = cc112.ComplaintForwarded, p.Agency, timePtr(at)
	c.ResponseDueAt = timePtr(at.Add(s.cfg.ResponseSLA))
	s.awaiting[c.ID] = true
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

func (s *Service) applyResponded(at time.Time, p cc112.ComplaintStepPayload, changed changedFunc) error {
	c, err := s.complaintFor(p)
	if err != nil {
		return err
	}
	c.Status, c.Response, c.RespondedAt = cc112.ComplaintResponded, p.Text, timePtr(at)
	delete(s.awaiting, c.ID)
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}

func (s *Service) applyFeedback(at time.Time, p cc112.ComplaintStepPayload, changed changedFunc) error {
	c, err := s.complaintFor(p)
	if err != nil {
		return err
	}
	c.Status, c.Feedback, c.FeedbackAt = cc112.ComplaintClosed, p.Text, timePtr(at)
	delete(s.awaiting, c.ID)
	changed(cc112.LiveComplaintUpdated, func() any { return c.Clone() })
	return nil
}
