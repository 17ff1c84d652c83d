package postgres

import (
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"cc112"
)

// importSource marks historical incidents, so reports tell them from live ones.
const importSource = "import"

// wib is the zone of incident numbers (SBY-YYYYMMDD-NNNN), as in dispatch.
var wib = time.FixedZone("WIB", 7*3600)

type point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

type incidentPayload struct {
	ID          string    `json:"id"`
	Number      string    `json:"number"`
	Category    string    `json:"category"`
	Priority    int       `json:"priority"`
	Status      string    `json:"status"`
	Location    point     `json:"location"`
	District    string    `json:"district"`
	Address     string    `json:"address"`
	Description string    `json:"description"`
	Source      string    `json:"source"`
	Callers     int       `json:"callers"`
	ReceivedAt  time.Time `json:"received_at"`
	Caller      *struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"caller"`
}

type unitPayload struct {
	ID       string    `json:"id"`
	Callsign string    `json:"callsign"`
	Type     string    `json:"type"`
	Agency   string    `json:"agency"`
	Station  string    `json:"station"`
	Status   string    `json:"status"`
	StatusAt time.Time `json:"status_at"`
}

type refPayload struct {
	IncidentID  string `json:"incident_id"`
	UnitID      string `json:"unit_id"`
	Status      string `json:"status"`
	Disposition string `json:"disposition"`
}

// projector queues the projection statements of one event type.
type projector func(b *pgx.Batch, ev cc112.Event) error

// notProjected is the decision for an event type the tables do not mirror;
// the reason is for the reader.
func notProjected(reason string) projector { return func(*pgx.Batch, cc112.Event) error { return nil } }

// projectors holds every event type's decision: projected, or deliberately
// not (a test checks that each type of cc112.EventTypes has one). The rules
// mirror dispatch/apply.go.
var projectors = map[string]projector{
	cc112.EvIncidentCreated:  projectIncidentCreated,
	cc112.EvIncidentImported: projectIncidentImported,
	cc112.EvUnitRegistered:   projectUnitRegistered,
	cc112.EvUnitAssigned:     projectUnitAssigned,
	cc112.EvUnitStatus:       projectUnitStatus,
	cc112.EvIncidentClosed:   projectIncidentClosed,
	cc112.EvCallerLinked:     projectCallerLinked,

	cc112.EvComplaintReceived:      projectComplaintReceived,
	cc112.EvComplaintForwarded:     projectComplaintStep,
	cc112.EvComplaintResponded:     projectComplaintStep,
	cc112.EvComplaintFeedback:      projectComplaintStep,
	cc112.EvComplaintEscalationDue: projectComplaintStep,

	cc112.EvUnitMoved:        notProjected("positions are a stream: sampled into breadcrumbs (breadcrumbs.go), never a row per fix"),
	cc112.EvCameraRegistered: notProjected("cameras are few and read from the engine's memory"),
	cc112.EvCameraStatus:     notProjected("camera health is live state, not a report"),
	cc112.EvCommandKey:       notProjected("idempotency keys matter only to the engine"),

	cc112.EvCallStarted:               notProjected("calls carry callers' identities; reports count incidents and their callers"),
	cc112.EvCallLocated:               notProjected("calls are not projected"),
	cc112.EvCallLinked:                notProjected("linking is projected through incident.caller_linked"),
	cc112.EvCallClosed:                notProjected("calls are not projected"),
	cc112.EvAMLPending:                notProjected("an AML fix waiting for its call is the engine's short-lived state"),
	cc112.EvComplaintEscalationSent:   notProjected("the SMS outbox's business, not the desk's reports"),
	cc112.EvComplaintEscalationFailed: notProjected("the SMS outbox's business, not the desk's reports"),

	cc112.EvUserSaved:      notProjected("accounts live in the engine's auth state"),
	cc112.EvSessionOpened:  notProjected("sessions live in the engine's auth state"),
	cc112.EvSessionRevoked: notProjected("sessions live in the engine's auth state"),
	cc112.EvDeviceSaved:    notProjected("devices live in the engine's auth state"),
	cc112.EvAuditRecorded:  notProjected("the engine keeps the newest entries in memory; older ones stay in the events table"),
	cc112.EvViewStarted:    notProjected("the view audit lives in the engine's memory, rebuilt from the journal"),
	cc112.EvViewEnded:      notProjected("the view audit lives in the engine's memory, rebuilt from the journal"),
}

// project queues the projection statements of one event. They run in the
// transaction that stores the event, in journal order, so the tables always
// match the journal.
func project(b *pgx.Batch, ev cc112.Event) error {
	if f, ok := projectors[ev.Type]; ok {
		return f(b, ev)
	}
	return nil
}

func projectIncidentCreated(b *pgx.Batch, ev cc112.Event) error {
	seq := int64(ev.Seq)
	var p incidentPayload
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return err
	}
	var name, phone string
	if p.Caller != nil {
		name, phone = p.Caller.Name, p.Caller.Phone
	}
	day := p.ReceivedAt.In(wib).Format("20060102")
	// The engine numbers incidents per WIB day in journal order when the
	// payload has no number: the same count here gives the same number.
	b.Queue(`with c as (
			insert into incident_days (wib_day, n) values ($3::text, 1)
			on conflict (wib_day) do update set n = incident_days.n + 1 returning n)
		insert into incidents (id, number, wib_day, category, priority, status, lat, lon, district,
			address, description, caller_name, caller_phone, source, received_at, last_seq, callers)
		select $1::text, coalesce(nullif($2::text, ''), 'SBY-' || $3::text || '-' || lpad(n::text, greatest(4, length(n::text)), '0')),
			$3::text, $4::text, $5::int, $6::text, $7::float8, $8::float8, $9::text,
			$10::text, $11::text, $12::text, $13::text, $14::text, $15::timestamptz, $16::bigint, $17::int
		from c`,
		p.ID, p.Number, day, p.Category, p.Priority, p.Status, p.Location.Lat, p.Location.Lon, p.District,
		p.Address, p.Description, name, phone, p.Source, p.ReceivedAt, seq, p.Callers)
	return nil
}

func projectUnitRegistered(b *pgx.Batch, ev cc112.Event) error {
	seq, at := int64(ev.Seq), ev.At
	var p unitPayload
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return err
	}
	statusAt := p.StatusAt
	if statusAt.IsZero() {
		statusAt = at
	}
	b.Queue(`insert into units (id, callsign, type, agency, station, status, status_at, incident_id)
		values ($1, $2, $3, $4, $5, $6, $7, null)
		on conflict (id) do update set callsign = excluded.callsign, type = excluded.type, agency = excluded.agency,
			station = excluded.station, status = excluded.status, status_at = excluded.status_at, incident_id = null`,
		p.ID, p.Callsign, p.Type, p.Agency, p.Station, p.Status, statusAt)
	b.Queue(`insert into unit_status_history (seq, unit_id, status, at) values ($1, $2, $3, $4)`, seq, p.ID, p.Status, statusAt)
	return nil
}

func projectUnitAssigned(b *pgx.Batch, ev cc112.Event) error {
	seq, at := int64(ev.Seq), ev.At
	var p refPayload
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return err
	}
	// The subqueries fail (not null) for an unknown unit, as the engine would.
	b.Queue(`insert into assignments (seq, ord, incident_id, unit_id, callsign, unit_type, agency, status, dispatched_at)
		values ($1, 0, $2, $3, (select callsign from units where id = $3), (select type from units where id = $3),
			(select agency from units where id = $3), 'dispatched', $4)`,
		seq, p.IncidentID, p.UnitID, at)
	b.Queue(`update units set status = 'dispatched', status_at = $3, incident_id = $2 where id = $1`, p.UnitID, p.IncidentID, at)
	b.Queue(`insert into unit_status_history (seq, unit_id, status, at, incident_id) values ($1, $2, 'dispatched', $3, $4)`,
		seq, p.UnitID, at, p.IncidentID)
	b.Queue(`update incidents set dispatched_at = coalesce(dispatched_at, $2), last_seq = $3,
			status = case when cc112_incident_rank(status) < 1 then 'dispatched' else status end
		where id = $1`, p.IncidentID, at, seq)
	return nil
}

func projectUnitStatus(b *pgx.Batch, ev cc112.Event) error {
	seq, at := int64(ev.Seq), ev.At
	var p refPayload
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return err
	}
	b.Queue(`insert into unit_status_history (seq, unit_id, status, at, incident_id)
		select $1::bigint, id, $3::text, $4::timestamptz, incident_id from units where id = $2`, seq, p.UnitID, p.Status, at)
	// Only a unit on an incident moves its assignment and incident.
	b.Queue(`update assignments set
			status = case when $2::text in ('enroute', 'onscene') then $2::text else status end,
			enroute_at = case when $2 = 'enroute' then $3::timestamptz else enroute_at end,
			onscene_at = case when $2 = 'onscene' then $3::timestamptz else onscene_at end,
			cleared_at = case when $2 = 'available' then $3::timestamptz else cleared_at end
		where unit_id = $1 and cleared_at is null
			and incident_id = (select incident_id from units where id = $1)`, p.UnitID, p.Status, at)
	b.Queue(`update incidents set
			enroute_at = case when $2 = 'enroute' then coalesce(enroute_at, $3) else enroute_at end,
			onscene_at = case when $2 = 'onscene' then coalesce(onscene_at, $3) else onscene_at end,
			status = case when $2::text in ('enroute', 'onscene') and cc112_incident_rank($2::text) > cc112_incident_rank(status)
				then $2::text else status end,
			last_seq = $4
		where id = (select incident_id from units where id = $1)`, p.UnitID, p.Status, at, seq)
	b.Queue(`update units set status = $2, status_at = $3,
			incident_id = case when $2 = 'available' then null else incident_id end
		where id = $1`, p.UnitID, p.Status, at)
	return nil
}

func projectIncidentClosed(b *pgx.Batch, ev cc112.Event) error {
	seq, at := int64(ev.Seq), ev.At
	var p refPayload
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return err
	}
	b.Queue(`update assignments set cleared_at = $2 where incident_id = $1 and cleared_at is null`, p.IncidentID, at)
	b.Queue(`insert into unit_status_history (seq, unit_id, status, at, incident_id)
		select $1::bigint, id, 'available', $3::timestamptz, incident_id from units where incident_id = $2`, seq, p.IncidentID, at)
	b.Queue(`update units set status = 'available', status_at = $2, incident_id = null where incident_id = $1`, p.IncidentID, at)
	b.Queue(`update incidents set status = 'closed', closed_at = $2, disposition = $3, last_seq = $4 where id = $1`,
		p.IncidentID, at, p.Disposition, seq)
	return nil
}

func projectCallerLinked(b *pgx.Batch, ev cc112.Event) error {
	seq := int64(ev.Seq)
	var p refPayload
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return err
	}
	b.Queue(`update incidents set callers = callers + 1, last_seq = $2 where id = $1`, p.IncidentID, seq)
	return nil
}

func projectIncidentImported(b *pgx.Batch, ev cc112.Event) error {
	seq := int64(ev.Seq)
	var p importPayload
	if err := json.Unmarshal(ev.Data, &p); err != nil {
		return err
	}
	projectImported(b, seq, p)
	return nil
}
