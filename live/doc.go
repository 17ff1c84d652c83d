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
// Each event is encoded once, as a complete websocket frame, and the same
// bytes are written to every connection. The resume buffer doubles as every
// connection's send queue: a connection is a cursor in it, so an idle
// connection costs two parked goroutines and no buffers, and a slow one
// costs nothing until it is cut.
package live
