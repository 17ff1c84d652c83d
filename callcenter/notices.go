package callcenter

import (
	"fmt"
	"strings"

	"cc112"
	"cc112/dispatch"
)

// The citizen is told at receipt, at each forward, at an agency's answer
// and at closing: by SMS, or by e-mail when the complaint came by e-mail
// (or only an address is known). Notices go through the same outbox as the
// mayor's SMS: journaled as an intent, sent, the result journaled.

// linkPlaceholder stands for the tracking link in a journaled notice: the
// link holds the token, which is never journaled in clear; the outbox
// fills it in when sending (Service.token derives it again).
const linkPlaceholder = "{link}"

// maxNoticeQuote bounds the answer quoted in an SMS.
const maxNoticeQuote = 280

// notify journals a notice to the citizen of c about step (receipt,
// forwarded, answered, closed); text is the answer or feedback quoted.
func (s *Service) notify(tx *dispatch.Tx, c *cc112.Complaint, step, text string) {
	channel, to := "sms", c.Phone
	if (c.Channel == "email" && c.Email != "") || to == "" {
		channel, to = "email", c.Email
	}
	if to == "" {
		return // nobody to tell: the web form shows the token on screen
	}
	var body string
	switch step {
	case "receipt":
		body = fmt.Sprintf("CC112 Surabaya: Aduan Anda diterima, nomor %s. Pantau di %s", c.Number, linkPlaceholder)
	case "forwarded":
		var open []string
		for _, f := range c.Forwards {
			if f.Status == cc112.ForwardOpen {
				open = append(open, strings.ToUpper(f.Agency))
			}
		}
		body = fmt.Sprintf("CC112 Surabaya: Aduan %s diteruskan ke %s, yang wajib menanggapi dalam %s.", c.Number,
			strings.Join(open, ", "), durationID(s.cfg.ResponseSLA))
	case "answered":
		body = fmt.Sprintf("CC112 Surabaya: Tanggapan atas aduan %s: %s", c.Number, quote(text))
	case "closed":
		body = fmt.Sprintf("CC112 Surabaya: Aduan %s selesai: %s. Puas? Beri penilaian di %s", c.Number, quote(text), linkPlaceholder)
	}
	n := len(c.Messages)
	tx.Emit(cc112.EvComplaintNoticeDue, cc112.ComplaintEscalationPayload{ComplaintID: c.ID,
		EscalationID: fmt.Sprintf("ntc-%s-%d", c.ID, n), Kind: cc112.MessageNotice, Channel: channel, To: to,
		Subject: "Aduan " + c.Number, Text: body})
}

func quote(t string) string {
	r := []rune(strings.Join(strings.Fields(t), " "))
	if len(r) > maxNoticeQuote {
		return string(r[:maxNoticeQuote-1]) + "…"
	}
	return string(r)
}

// render fills the tracking link into a notice at sending time. The link's
// #fragment holds the number and token (the page reads it; browsers never
// send a fragment to a server). A token that no longer matches the
// journaled hash (the token key changed) is left out.
func (s *Service) render(c *cc112.Complaint, text string) string {
	if !strings.Contains(text, linkPlaceholder) {
		return text
	}
	link := strings.TrimRight(s.cfg.BaseURL, "/") + "/complaint#" + c.Number
	if tok := s.token(c.ID); hashToken(tok) == c.TokenHash {
		link += ":" + tok
	}
	return strings.ReplaceAll(text, linkPlaceholder, link)
}
