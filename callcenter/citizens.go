package callcenter

import (
	"time"

	"cc112"
	"cc112/geo"
)

// Recognising a citizen across channels and a place reported again.

// Repeat rule: a complaint of the same category within RepeatRadiusM of an
// earlier one received within RepeatWindow is a repeat of it (as duplicate
// incidents are linked to the first).
const (
	RepeatRadiusM = 150
	RepeatWindow  = 30 * 24 * time.Hour
	// maxSameCitizen bounds the earlier numbers shown with a complaint.
	maxSameCitizen = 20
)

// citizenKey is who filed a complaint: the phone (E.164) when known, else
// the e-mail address (lower case), else nobody.
func citizenKey(c *cc112.Complaint) string {
	if c.Phone != "" {
		return c.Phone
	}
	return c.Email
}

// recognise links a complaint being applied to the citizen's earlier
// complaints and to the first complaint about the same place and topic.
// It runs in apply, in journal order, so replay links the same way.
func (s *Service) recognise(c *cc112.Complaint) {
	if c.Citizen = citizenKey(c); c.Citizen != "" {
		ids := s.byCitizen[c.Citizen]
		c.SameCitizen = nil
		for i := len(ids) - 1; i >= 0 && len(c.SameCitizen) < maxSameCitizen; i-- {
			c.SameCitizen = append(c.SameCitizen, s.complaints[ids[i]].Number)
		}
		s.byCitizen[c.Citizen] = append(ids, c.ID)
	}
	c.RepeatOf = ""
	if c.Location != nil {
		ids := s.byCategory[c.Category]
		for i := len(ids) - 1; i >= 0; i-- {
			o := s.complaints[ids[i]]
			if c.ReceivedAt.Sub(o.ReceivedAt) > RepeatWindow {
				break
			}
			if geo.Haversine(*c.Location, *o.Location) <= RepeatRadiusM {
				c.RepeatOf = o.Number
				if o.RepeatOf != "" {
					c.RepeatOf = o.RepeatOf
				}
				break
			}
		}
		s.byCategory[c.Category] = append(ids, c.ID)
	}
}
