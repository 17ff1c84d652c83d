package auth

import "cc112"

// Viewer is what the principal may see of personal data (cc112.Viewer):
// the same for its REST answers and its live feed. A role that is not
// named here sees none (fails closed).
func (p Principal) Viewer() cc112.Viewer {
	switch p.Role {
	case Dispatcher, Supervisor:
		return cc112.Viewer{Sight: cc112.SeeAll}
	case CallTaker:
		return cc112.Viewer{Sight: cc112.SeeCallers}
	case UnitRole:
		return cc112.Viewer{Sight: cc112.SeeUnit, UnitID: p.UnitID}
	case Agency:
		return cc112.Viewer{Sight: cc112.SeeAgency, Agency: p.Agency}
	}
	return cc112.Viewer{Sight: cc112.SeeNone} // police, admin, wall
}
