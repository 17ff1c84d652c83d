package ui

import "cc112/auth"

// access is a route's declaration of who may call it. Every route in the
// table declares one; the route × role test fails on a route without.
type access struct {
	roles  []auth.Role
	public bool // no account needed (a token, if any, is ignored)
	// identify makes a public route name the user when a valid token comes
	// with the request (the handler then shows more); a bad one is ignored.
	identify bool
	machine  bool // the handler accepts its own secret when no token is given
	// unitParam names the path value that must equal a unit user's own unit
	// (a unit reports only for itself).
	unitParam string
	// stream marks high-rate mutations (GPS fixes) that are not audited one
	// by one: auditing each fix would turn a stream into a ledger.
	stream bool
	// selfAudited marks routes whose handler writes its own audit entry
	// (login, logout) in the same journal write as the change.
	selfAudited bool
	// websocket marks the routes that upgrade to a websocket: the route,
	// never the client's Upgrade header, decides that ?token= is read and
	// that a plain request to it is refused.
	websocket bool
	// page marks a web page for roles: served without a session (the
	// page's gate sends the browser to /login), and to a logged-in user of
	// another role not served but redirected to that role's home page.
	page bool
}

func allow(roles ...auth.Role) access { return access{roles: roles} }

// pageFor is a page for the roles of the API routes it uses (a role that
// could call none of them has no business on it).
func pageFor(uses access) access {
	return access{public: true, identify: true, page: true, roles: uses.roles}
}

// homePages is each role's own page, where a role lands when it opens a
// page that is not for it (police opening / land on /police). Every role
// has one; TestEveryRoleHasAHomePage checks that its page lets it in.
var homePages = map[auth.Role]string{
	auth.Dispatcher: "/",
	auth.CallTaker:  "/calltaker",
	auth.Supervisor: "/supervisor",
	auth.Police:     "/police",
	auth.UnitRole:   "/unit",
	auth.Agency:     "/desk",
	auth.Admin:      "/admin",
	auth.Wall:       "/",
}

// ownUnit restricts unit users to the unit named by the path value param.
func (a access) ownUnit(param string) access { a.unitParam = param; return a }

// positions marks a route as a position stream (not audited per request).
func (a access) positions() access { a.stream = true; return a }

func (a access) audited() access { a.selfAudited = true; return a }

// upgrades marks a websocket route (see access.websocket).
func (a access) upgrades() access { a.websocket = true; return a }

// orSecret lets machine clients (trackers, the AML gateway) in with their
// own secret, checked by the handler, besides user tokens of roles.
func (a access) orSecret() access { a.machine = true; return a }

func (a access) declared() bool { return a.public || len(a.roles) > 0 || a.machine }

func (a access) allows(r auth.Role) bool {
	for _, x := range a.roles {
		if x == r {
			return true
		}
	}
	return false
}

// The named role sets of the route table (issue 4's rules).
var (
	// public needs no account: health, login, complaint intake and
	// tracking, the web pages and their assets.
	public = access{public: true}
	// publicOrDesk is public (complaint tracking with its own token) and
	// shows the complaint desk more, checked by the handler.
	publicOrDesk = access{public: true, identify: true}
	// anyUser is every logged-in role.
	anyUser = allow(auth.Roles()...)
	// intake creates calls and incidents.
	intake = allow(auth.CallTaker, auth.Dispatcher)
	// operational is everything a dispatcher decides: assignments, closing.
	operational = allow(auth.Dispatcher)
	// staffRead reads the operational picture (units, recommendations).
	staffRead = allow(auth.CallTaker, auth.Dispatcher, auth.Supervisor)
	// boardRead is the wall's picture besides incidents and cameras: the
	// units, the open alerts, the coverage board (a wall reads, never acts).
	boardRead = allow(auth.CallTaker, auth.Dispatcher, auth.Supervisor, auth.Wall)
	// routeRead asks for a drive between two points: the staff, and a
	// unit's phone for its own way (no personal data in either).
	routeRead = allow(auth.CallTaker, auth.Dispatcher, auth.Supervisor, auth.UnitRole, auth.Wall)
	// incidentRead reads incidents; police see them without callers.
	incidentRead = allow(auth.CallTaker, auth.Dispatcher, auth.Supervisor, auth.Police, auth.Wall)
	// cameraRead reads cameras and watches them (every view audited).
	cameraRead = allow(auth.CallTaker, auth.Dispatcher, auth.Supervisor, auth.Police, auth.Admin, auth.Wall)
	// unitReport is a unit's status and position: dispatchers for any unit,
	// unit users for their own only.
	unitReport = allow(auth.Dispatcher, auth.UnitRole).ownUnit("id")
	// unitSelf is a unit user's own view (its assignment).
	unitSelf = allow(auth.UnitRole)
	// messaging is the center's desk (dispatchers) and the crews talking
	// to each other; messageRead adds supervisors (unit users read their
	// own, checked by the handler).
	messaging   = allow(auth.Dispatcher, auth.UnitRole)
	messageRead = allow(auth.Dispatcher, auth.Supervisor, auth.UnitRole)
	// hospitalRead lists the city's hospitals (a transporting unit's
	// destination).
	hospitalRead = allow(auth.CallTaker, auth.Dispatcher, auth.Supervisor, auth.UnitRole)
	// complaintDesk is the Media Center's desk (the dispatcher's actions)
	// and the agency teams, who see only their agency's complaints.
	complaintDesk = allow(auth.Dispatcher, auth.Agency, auth.Supervisor)
	// agencyAnswer is an agency team answering the complaints forwarded
	// to it (the handler checks the agency).
	agencyAnswer = allow(auth.Agency)
	// complaintReport is the desk's statistics over every agency.
	complaintReport = allow(auth.Dispatcher, auth.Supervisor)
	// alertAck acknowledges an alert: the dispatchers who act on it and
	// their supervisor.
	alertAck = allow(auth.Dispatcher, auth.Supervisor)
	// alarmRaise raises an incident's alarm level: the dispatcher working
	// it and the supervisor on the floor.
	alarmRaise = allow(auth.Dispatcher, auth.Supervisor)
	// rosterWrite sets the units' shifts; rosterRead reads who is on which
	// unit (the staff who dispatch them, and the admin).
	rosterWrite = allow(auth.Supervisor, auth.Admin)
	rosterRead  = allow(auth.CallTaker, auth.Dispatcher, auth.Supervisor, auth.Admin)
	// metricsRead reads response-time metrics.
	metricsRead = allow(auth.Supervisor, auth.Dispatcher, auth.Admin)
	// importers load historical incidents.
	importers = allow(auth.Supervisor, auth.Admin)
	// auditRead reads the audit log.
	auditRead = allow(auth.Admin, auth.Supervisor)
	// ptzControl turns PTZ cameras: the center's staff, never police
	// (read-only) or others.
	ptzControl = allow(auth.Dispatcher, auth.Supervisor)
	// supervisors alone decide what is recorded and kept: "always record"
	// marks, the release of an incident's evidence.
	supervisors = allow(auth.Supervisor)
	// evidenceRead sees an incident's evidence lock and exports, and
	// exports recordings (with a reason; police too, read-only otherwise).
	evidenceRead = allow(auth.Dispatcher, auth.Supervisor, auth.Police)
	// admins manage users, devices and cameras.
	admins = allow(auth.Admin)
	// machineAML is AML intake: the SMS gateway or AML provider with its
	// API key or HMAC, or a call-taker's token.
	machineAML = allow(auth.CallTaker, auth.Dispatcher).orSecret()
	// smsGateway is the SMS gateway posting citizens' SMS: its API key
	// only, no user.
	smsGateway = access{machine: true}
	// signedWebhook is a bridge's signed request (HMAC-SHA256), no user.
	signedWebhook = access{machine: true}
	// tracker is the OsmAnd protocol: a device secret, or a unit's token.
	tracker = allow(auth.UnitRole).orSecret().positions()
	// The pages, by the API routes each one needs.
	consolePage    = allow(auth.Dispatcher, auth.Supervisor, auth.Wall) // the live picture (and, for who may, its actions)
	callTakerPage  = intake
	deskPage       = complaintDesk
	deskStatsPage  = complaintReport
	supervisorPage = metricsRead
	cameraPage     = cameraRead
	policePage     = allow(auth.Police, auth.Supervisor) // read-only cameras; supervisors check what police see
	unitPage       = unitSelf
	adminPage      = admins // the city's units, stations, agencies and plans
	// scrape is Prometheus's /metrics: a supervisor's or admin's token, or
	// the scraper's own bearer token (or, without one configured, a
	// loopback client).
	scrape = allow(auth.Supervisor, auth.Admin).orSecret()
)
