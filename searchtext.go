package cc112

import "strings"

// SearchText is what a text search reads of an incident (the engine's
// index, the embedded journal's archive), lower-cased, in three parts in
// the order of who may see them: public is the number, address,
// description and the notes every viewer reads; phone the caller's phone,
// also as dialled at home ("+62812…" is found as "0812…"); internal the
// internal notes. NUL separates the fields (no query holds one, so no
// match spans two); each internal note starts with one.
func SearchText(inc *Incident) (public, phone, internal string) {
	var pub, in strings.Builder
	pub.WriteString(inc.Number + "\x00" + inc.Address + "\x00" + inc.Description)
	for _, n := range inc.Notes {
		if n.Internal {
			in.WriteString("\x00" + n.Text)
		} else {
			pub.WriteString("\x00" + n.Text)
		}
	}
	if inc.Caller != nil {
		phone = inc.Caller.Phone
		if national, ok := strings.CutPrefix(phone, "+62"); ok {
			phone += "\x000" + national
		}
	}
	return strings.ToLower(pub.String()), phone, strings.ToLower(in.String())
}
