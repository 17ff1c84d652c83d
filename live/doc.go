// Package live is the live feed of dispatchd (GET /api/v1/live): a
// websocket hub fed by the engine (it is the engine's dispatch.Publisher).
//
// Protocol (JSON text frames; DESIGN.md §4):
//
//	{"type":"snapshot","epoch":E,"seq":N,"incidents":[…],"units":[…],"cameras":[…]}
//	{"type":"event","epoch":E,"seq":N+1,"event":"unit.moved","data":{…}}
//
// The first message is a snapshot: the active incidents, every unit and
// camera, as the API returns them, at seq N. Every later message is an event
// whose seq is exactly one more than the previous one, so a client can prove
// it missed nothing. data is the resource itself (data.id names it); an
// incident.updated whose status is "closed" removes it from the active set.
//
// E, the epoch, is an opaque string, new each time dispatchd starts; seqs
// count from 1 within an epoch and are not the journal's seqs. A standby
// with Redis serves its leader's epoch and seqs (Follower, fed by Redis
// from the leader's Tap); it closes its clients with 1012 when it switches
// between the leader's epoch and its own (Redis lost, a gap, a failover):
// they reconnect and get a snapshot.
//
// Reconnect with ?epoch=E&since=N (N = the last seq applied): the events
// after N follow at once, without a snapshot, when the server still holds
// them (at least the last 10 minutes and the last 100,000 events). Otherwise
// (another epoch, too old, a malformed query) the first message is a fresh
// snapshot, which replaces the client's state.
//
// The server closes with 1013 when the client fell too far behind (resume),
// with 1001 when it shuts down (reconnect and resume). It pings every 4 s and
// cuts a client that has not answered for 8 s. A browser, which cannot send
// ping frames, may send {"type":"ping"} and gets {"type":"pong"}; any other
// client message is ignored, and one over 512 bytes ends the connection.
//
// Each connection sees what its user may see of personal data
// (cc112.Viewer; docs/security.md), the same as the user's REST answers: an
// event whose data is a resource with personal data (cc112.Viewed: an
// incident's caller, a call, a complaint) is sent as the viewer's view of
// it, in the snapshot, as an event and on resume alike. An event the viewer
// may not see at all (a call for a unit or police, a complaint not
// forwarded to this agency, an incident a unit does not work) still takes
// its seq, as a placeholder without
// data, so that seqs stay consecutive:
//
//	{"type":"event","epoch":E,"seq":N,"event":"hidden","data":null}
//
// Clients skip it like any event they do not know. A standby decodes its
// leader's relayed events with the vocabulary (Config.Payloads) to make the
// same views; an event it cannot decode reaches only viewers who see
// everything (fail closed).
//
// Each event is encoded once, as a complete websocket frame, and the same
// bytes are written to every connection. An event with personal data also
// keeps its resource, and each of its few views (whole, without the caller,
// the callback number only, hidden) is encoded when a connection first
// needs it and then shared; the resume buffer counts such an event at four
// times its frame. The resume buffer doubles as every
// connection's send queue: a connection is a cursor in it, so an idle
// connection costs two parked goroutines and no buffers, and a slow one
// costs nothing until it is cut.
package live
