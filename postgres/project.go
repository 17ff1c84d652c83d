package postgres

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"cc112"
)

// projector queues the projection statements of one event type.
type projector func(b *pgx.Batch, ev cc112.Event) error

// notProjected is the decision for an event type the tables do not mirror;
// the reason is for the reader.
func notProjected(reason string) projector { return func(*pgx.Batch, cc112.Event) error { return nil } }

// projectors holds every event type's decision: projected, or deliberately
// not (a test checks that each type of cc112.EventTypes has one). The rules
// mirror dispatch/apply.go.
var projectors = map[string]projector{
	cc112.EvIncidentCreated:  typed(projectIncidentCreated),
	cc112.EvIncidentImported: typed(projectIncidentImported),
	cc112.EvUnitRegistered:   typed(projectUnitRegistered),
	cc112.EvUnitAssigned:     typed(projectUnitAssigned),
	cc112.EvUnitStatus:       typed(projectUnitStatus),
	cc112.EvIncidentClosed:   typed(projectIncidentClosed),
	cc112.EvCallerLinked:     typed(projectCallerLinked),
	cc112.EvUnitReleased:     typed(projectUnitReleased),
	cc112.EvUnitService:      typed(projectUnitService),
	cc112.EvIncidentAlarm:    typed(projectIncidentAlarm),
	cc112.EvRosterSet:        notProjected("the roster is read from the engine, rebuilt from the journal (GET /api/v1/roster?at=)"),
	cc112.EvCityChanged:      typed(projectCityChanged),

	cc112.EvComplaintReceived:       typed(projectComplaintReceived),
	cc112.EvComplaintForwarded:      typed(projectComplaintStep),
	cc112.EvComplaintResponded:      typed(projectComplaintStep),
	cc112.EvComplaintFeedback:       typed(projectComplaintStep),
	cc112.EvComplaintEscalationDue:  typed(projectComplaintEscalated),
	cc112.EvComplaintReforwarded:    typed(projectComplaintStep),
	cc112.EvComplaintRated:          typed(projectComplaintStep),
	cc112.EvComplaintTriageOverdue:  typed(projectComplaintStep),
	cc112.EvComplaintNoticeDue:      notProjected("a notice to the citizen holds their phone or e-mail: the outbox's business"),
	cc112.EvComplaintMailQuarantine: notProjected("a refused e-mail is kept in the journal and listed from the engine"),

	cc112.EvUnitMoved:              notProjected("positions are a stream: sampled into breadcrumbs (breadcrumbs.go), never a row per fix"),
	cc112.EvUnitRelocated:          notProjected("a standby post is advice to a crew, held in the engine's memory and the journal"),
	cc112.EvCameraRegistered:       notProjected("cameras are few and read from the engine's memory"),
	cc112.EvCameraStatus:           notProjected("camera health is live state, not a report"),
	cc112.EvIncidentCancelled:      typed(projectIncidentCancelled),
	cc112.EvIncidentReopened:       typed(projectIncidentReopened),
	cc112.EvIncidentEdited:         typed(projectIncidentEdited),
	cc112.EvIncidentMerged:         typed(projectIncidentMerged),
	cc112.EvAssignmentAcknowledged: typed(projectAcknowledged),
	cc112.EvIncidentNoted:          typed(projectIncidentNoted),
	cc112.EvCommandKey:             notProjected("idempotency keys matter only to the engine"),
	cc112.EvJournalRefused:         notProjected("it holds the seqs of a refused command and nothing else"),
	cc112.EvIncidentArchived:       typed(projectArchived),
	cc112.EvIncidentRestored:       typed(projectRestored),
	cc112.EvRosterArchived:         projectRosterArchived,

	cc112.EvCallStarted:               notProjected("calls carry callers' identities; reports count incidents and their callers"),
	cc112.EvCallLocated:               notProjected("calls are not projected"),
	cc112.EvCallLinked:                notProjected("linking is projected through incident.caller_linked"),
	cc112.EvCallClosed:                notProjected("calls are not projected"),
	cc112.EvAMLPending:                notProjected("an AML fix waiting for its call is the engine's short-lived state"),
	cc112.EvComplaintEscalationSent:   notProjected("the SMS outbox's business, not the desk's reports"),
	cc112.EvComplaintEscalationFailed: notProjected("the SMS outbox's business, not the desk's reports"),

	cc112.EvAlertRaised:       typed(projectAlertRaised),
	cc112.EvAlertAcknowledged: typed(projectAlertAcknowledged),
	cc112.EvAlertCleared:      typed(projectAlertCleared),

	cc112.EvUserSaved:      notProjected("accounts live in the engine's auth state"),
	cc112.EvSessionOpened:  notProjected("sessions live in the engine's auth state"),
	cc112.EvSessionRevoked: notProjected("sessions live in the engine's auth state"),
	cc112.EvDeviceSaved:    notProjected("devices live in the engine's auth state"),
	cc112.EvAuditRecorded:  notProjected("the engine keeps the newest entries in memory; older ones stay in the events table"),
	cc112.EvViewStarted:    notProjected("the view audit lives in the engine's memory, rebuilt from the journal"),
	cc112.EvViewEnded:      notProjected("the view audit lives in the engine's memory, rebuilt from the journal"),

	cc112.EvCameraRecordAlways: notProjected("recording marks live in the engine's memory, rebuilt from the journal"),
	cc112.EvEvidenceLocked:     notProjected("evidence locks live in the engine's memory, rebuilt from the journal"),
	cc112.EvEvidenceReleased:   notProjected("evidence locks live in the engine's memory, rebuilt from the journal"),
	cc112.EvEvidenceKey:        notProjected("the signing key is the engine's secret, never a report"),
	cc112.EvEvidenceExported:   notProjected("export manifests live in the engine's memory, rebuilt from the journal"),

	cc112.EvPushKeys:       notProjected("the VAPID keys are the engine's secret, never a report"),
	cc112.EvPushSubscribed: notProjected("push subscriptions live in the engine's paging state"),
	cc112.EvPushDropped:    notProjected("push subscriptions live in the engine's paging state"),
	cc112.EvPageAckOverdue: notProjected("the alert is live state; acknowledgement times are projected from assignment.acknowledged"),
	cc112.EvPageSMSSent:    notProjected("the crew SMS outbox's business, not a report"),
	cc112.EvPageSMSFailed:  notProjected("the crew SMS outbox's business, not a report"),
	cc112.EvMessageSent:    notProjected("messages are read from the engine's paging state; reports count times, not words"),
}

// typed decodes an event's payload for a projector of its type.
func typed[T any](f func(b *pgx.Batch, ev cc112.Event, p *T)) projector {
	return func(b *pgx.Batch, ev cc112.Event) error {
		var p T
		if err := json.Unmarshal(ev.Data, &p); err != nil {
			return fmt.Errorf("decode %s payload: %w", ev.Type, err)
		}
		f(b, ev, &p)
		return nil
	}
}

// nullTime is NULL for the zero time.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
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

func projectIncidentCreated(b *pgx.Batch, ev cc112.Event, p *cc112.Incident) {
	seq := int64(ev.Seq)
	var name, phone string
	if p.Caller != nil {
		name, phone = p.Caller.Name, p.Caller.Phone
	}
	reason, by, dist := outOfArea(p.OutOfArea)
	// The number comes with the event (cc112.DayNumbers): stored as written.
	b.Queue(`insert into incidents (id, number, wib_day, category, priority, status, lat, lon, district,
			address, description, caller_name, caller_phone, source, received_at, last_seq, callers,
			call_received_at, out_of_area_reason, out_of_area_by, out_of_area_m)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		p.ID, p.Number, p.ReceivedAt.In(cc112.WIB).Format("20060102"), p.Category, p.Priority, p.Status, p.Location.Lat, p.Location.Lon, p.District,
		p.Address, p.Description, name, phone, p.Source, p.ReceivedAt, seq, p.Callers,
		p.CallReceivedAt, reason, by, dist)
}

// outOfArea is a confirmation's columns, all null for none.
func outOfArea(o *cc112.OutOfArea) (reason, by *string, dist *float64) {
	if o == nil {
		return nil, nil, nil
	}
	return &o.Reason, &o.By, &o.DistanceM
}

// projectIncidentNoted adds the note to the searched text: the internal
// ones apart, for the viewers who may read them.
func projectIncidentNoted(b *pgx.Batch, ev cc112.Event, p *cc112.IncidentNotedPayload) {
	col := "notes"
	if p.Note.Internal {
		col = "notes_internal"
	}
	b.Queue(`update incidents set `+col+` = `+col+` || E'\n' || lower($2), last_seq = $3 where id = $1`,
		p.IncidentID, p.Note.Text, int64(ev.Seq))
}

func projectUnitRegistered(b *pgx.Batch, ev cc112.Event, p *cc112.Unit) {
	seq, at := int64(ev.Seq), ev.At
	statusAt := p.StatusAt
	if statusAt.IsZero() {
		statusAt = at
	}
	b.Queue(`insert into units (id, callsign, type, agency, station, status, status_at, incident_id)
		values ($1, $2, $3, $4, $5, $6, $7, null)
		on conflict (id) do update set callsign = excluded.callsign, type = excluded.type, agency = excluded.agency,
			station = excluded.station, status = excluded.status, status_at = excluded.status_at, incident_id = null,
			status_by = '', out_of_service = ''`,
		p.ID, p.Callsign, p.Type, p.Agency, p.Station, p.Status, statusAt)
	b.Queue(`insert into unit_status_history (seq, unit_id, status, at) values ($1, $2, $3, $4)`, seq, p.ID, p.Status, statusAt)
}

// projectCityChanged mirrors the units an admin added, edited or retired;
// agencies, stations and plans are configuration the engine holds (and
// `dispatchd city export` writes), not report rows.
func projectCityChanged(b *pgx.Batch, ev cc112.Event, p *cc112.CityChangedPayload) {
	for _, c := range p.Units {
		switch {
		case c.After == nil && c.Before != nil:
			b.Queue(`update units set retired_at = $2 where id = $1`, c.Before.ID, ev.At)
		case c.Before == nil && c.After != nil:
			u := c.After
			statusAt := u.StatusAt
			if statusAt.IsZero() {
				statusAt = ev.At
			}
			b.Queue(`insert into units (id, callsign, type, agency, station, status, status_at, incident_id, capabilities, retired_at)
				values ($1, $2, $3, $4, $5, $6, $7, null, $8, null)
				on conflict (id) do update set callsign = excluded.callsign, type = excluded.type, agency = excluded.agency,
					station = excluded.station, status = excluded.status, status_at = excluded.status_at, incident_id = null,
					status_by = '', out_of_service = '', capabilities = excluded.capabilities, retired_at = null`,
				u.ID, u.Callsign, u.Type, u.Agency, u.Station, u.Status, statusAt, capabilities(u.Capabilities))
			b.Queue(`insert into unit_status_history (seq, unit_id, status, at) values ($1, $2, $3, $4)`, int64(ev.Seq), u.ID, u.Status, statusAt)
		case c.After != nil:
			u := c.After
			b.Queue(`update units set callsign = $2, type = $3, agency = $4, station = $5, capabilities = $6 where id = $1`,
				u.ID, u.Callsign, u.Type, u.Agency, u.Station, capabilities(u.Capabilities))
		}
	}
}

// capabilities is never NULL in the table.
func capabilities(c []string) []string {
	if c == nil {
		return []string{}
	}
	return c
}

func projectUnitAssigned(b *pgx.Batch, ev cc112.Event, p *cc112.UnitAssignedPayload) {
	seq, at := int64(ev.Seq), ev.At
	// The subqueries fail (not null) for an unknown unit, as the engine would.
	b.Queue(`insert into assignments (seq, ord, incident_id, unit_id, callsign, unit_type, agency, status, dispatched_at,
			predicted_eta_s, eta_method)
		values ($1, 0, $2, $3, (select callsign from units where id = $3), (select type from units where id = $3),
			(select agency from units where id = $3), 'dispatched', $4, nullif($5::double precision, 0), $6)`,
		seq, p.IncidentID, p.UnitID, at, p.PredictedETAS, p.ETAMethod)
	b.Queue(`update units set status = 'dispatched', status_at = $3, status_by = '', incident_id = $2 where id = $1`, p.UnitID, p.IncidentID, at)
	b.Queue(`insert into unit_status_history (seq, unit_id, status, at, incident_id) values ($1, $2, 'dispatched', $3, $4)`,
		seq, p.UnitID, at, p.IncidentID)
	b.Queue(`update incidents set dispatched_at = coalesce(dispatched_at, $2), last_seq = $3,
			status = case when cc112_incident_rank(status) < 1 then 'dispatched' else status end
		where id = $1`, p.IncidentID, at, seq)
}

func projectUnitStatus(b *pgx.Batch, ev cc112.Event, p *cc112.UnitStatusPayload) {
	seq, at := int64(ev.Seq), ev.At
	by := ""
	if p.OnBehalf {
		by = p.By
	}
	b.Queue(`insert into unit_status_history (seq, unit_id, status, at, incident_id, by)
		select $1::bigint, id, $3::text, $4::timestamptz, incident_id, $5::text from units where id = $2`, seq, p.UnitID, p.Status, at, by)
	// Only a unit on an incident moves its assignment and incident.
	b.Queue(`update assignments set
			status = case when $2::text in ('enroute', 'onscene', 'transporting', 'at_hospital') then $2::text else status end,
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
	b.Queue(`update units set status = $2, status_at = $3, status_by = $4, out_of_service = '',
			incident_id = case when $2 = 'available' then null else incident_id end
		where id = $1`, p.UnitID, p.Status, at, by)
}

// projectUnitReleased frees one unit as the engine does: its assignment
// cleared, the unit available, the incident back to new when no unit is
// left on it.
func projectUnitReleased(b *pgx.Batch, ev cc112.Event, p *cc112.UnitReleasedPayload) {
	seq, at := int64(ev.Seq), ev.At
	b.Queue(`update assignments set cleared_at = $3 where unit_id = $1 and incident_id = $2 and cleared_at is null`,
		p.UnitID, p.IncidentID, at)
	b.Queue(`insert into unit_status_history (seq, unit_id, status, at, incident_id, by) values ($1, $2, 'available', $3, $4, $5)`,
		seq, p.UnitID, at, p.IncidentID, p.By)
	b.Queue(`update units set status = 'available', status_at = $2, status_by = '', incident_id = null where id = $1`, p.UnitID, at)
	b.Queue(`update incidents i set last_seq = $2,
			status = case when exists (select 1 from assignments a where a.incident_id = i.id and a.cleared_at is null)
				then status else 'new' end
		where id = $1`, p.IncidentID, seq)
}

// projectUnitService takes a unit out of service (off duty, the reason
// kept) or puts it back.
func projectUnitService(b *pgx.Batch, ev cc112.Event, p *cc112.UnitServicePayload) {
	seq, at := int64(ev.Seq), ev.At
	status, reason := cc112.UnitOffduty, p.Reason
	if p.InService {
		status, reason = cc112.UnitAvailable, ""
	}
	b.Queue(`insert into unit_status_history (seq, unit_id, status, at, by) values ($1, $2, $3, $4, $5)`,
		seq, p.UnitID, status, at, p.By)
	b.Queue(`update units set status = $2, status_at = $3, status_by = $4, out_of_service = $5 where id = $1`,
		p.UnitID, status, at, p.By, reason)
}

// projectAcknowledged stamps the unit's active assignment on the incident,
// once (the engine keeps the first).
func projectAcknowledged(b *pgx.Batch, ev cc112.Event, p *cc112.AssignmentAcknowledgedPayload) {
	b.Queue(`update assignments set acknowledged_at = coalesce(acknowledged_at, $3)
		where incident_id = $1 and unit_id = $2 and cleared_at is null`, p.IncidentID, p.UnitID, ev.At)
}

func projectIncidentClosed(b *pgx.Batch, ev cc112.Event, p *cc112.IncidentClosedPayload) {
	seq, at := int64(ev.Seq), ev.At
	b.Queue(`update assignments set cleared_at = $2 where incident_id = $1 and cleared_at is null`, p.IncidentID, at)
	b.Queue(`insert into unit_status_history (seq, unit_id, status, at, incident_id)
		select $1::bigint, id, 'available', $3::timestamptz, incident_id from units where incident_id = $2`, seq, p.IncidentID, at)
	b.Queue(`update units set status = 'available', status_at = $2, status_by = '', incident_id = null where incident_id = $1`, p.IncidentID, at)
	b.Queue(`update incidents set status = 'closed', closed_at = $2, disposition = $3, last_seq = $4 where id = $1`,
		p.IncidentID, at, p.Disposition, seq)
}

// projectIncidentCancelled closes the incident as the engine does: its
// disposition says it was cancelled, which reports read to leave it out.
func projectIncidentCancelled(b *pgx.Batch, ev cc112.Event, p *cc112.IncidentCancelledPayload) {
	projectIncidentClosed(b, ev, &cc112.IncidentClosedPayload{IncidentID: p.IncidentID, Disposition: cc112.CancelledPrefix + p.Reason})
}

// projectIncidentReopened makes the row active again, as new (the engine's
// rule); its first dispatch and arrival times stay.
func projectIncidentReopened(b *pgx.Batch, ev cc112.Event, p *cc112.IncidentReopenedPayload) {
	b.Queue(`update incidents set status = 'new', closed_at = null, disposition = '', last_seq = $2 where id = $1`,
		p.IncidentID, int64(ev.Seq))
}

// projectIncidentEdited writes the fields an edit changed (null: kept);
// the reports group by category, priority and district and map the
// location.
func projectIncidentAlarm(b *pgx.Batch, ev cc112.Event, p *cc112.IncidentAlarmPayload) {
	b.Queue(`update incidents set alarm_level = $2, last_seq = $3 where id = $1`, p.IncidentID, p.Level, int64(ev.Seq))
}

func projectIncidentEdited(b *pgx.Batch, ev cc112.Event, p *cc112.IncidentEditedPayload) {
	var cat, name, phone *string
	var lat, lon *float64
	if p.Category != nil {
		c := string(*p.Category)
		cat = &c
	}
	if p.Location != nil {
		lat, lon = &p.Location.Lat, &p.Location.Lon
	}
	if p.Caller != nil {
		name, phone = &p.Caller.Name, &p.Caller.Phone
	}
	reason, by, dist := outOfArea(p.OutOfArea)
	b.Queue(`update incidents set category = coalesce($2, category), priority = coalesce($3, priority),
			lat = coalesce($4, lat), lon = coalesce($5, lon), district = coalesce($6, district),
			address = coalesce($7, address), description = coalesce($8, description),
			caller_name = coalesce($9, caller_name), caller_phone = coalesce($10, caller_phone), last_seq = $11,
			out_of_area_reason = coalesce($12, out_of_area_reason), out_of_area_by = coalesce($13, out_of_area_by),
			out_of_area_m = coalesce($14, out_of_area_m)
		where id = $1`,
		p.IncidentID, cat, p.Priority, lat, lon, p.District, p.Address, p.Description, name, phone, int64(ev.Seq),
		reason, by, dist)
}

// projectIncidentMerged moves the duplicate's working units to the target
// as the engine does (earliest clocks, furthest status, callers added, its
// notes found with the target too) and closes the duplicate with its
// disposition.
func projectIncidentMerged(b *pgx.Batch, ev cc112.Event, p *cc112.IncidentMergedPayload) {
	seq, at := int64(ev.Seq), ev.At
	b.Queue(`update incidents i set dispatched_at = least(i.dispatched_at, m.d), enroute_at = least(i.enroute_at, m.e),
			onscene_at = least(i.onscene_at, m.o), callers = i.callers + m.callers, last_seq = $3,
			status = case when m.rank > cc112_incident_rank(i.status) then m.status else i.status end
		from (select min(a.dispatched_at) d, min(a.enroute_at) e, min(a.onscene_at) o,
				coalesce(max(cc112_incident_rank(a.status)), 0) rank,
				(select a2.status from assignments a2 where a2.incident_id = $1 and a2.cleared_at is null
					order by cc112_incident_rank(a2.status) desc limit 1) status,
				(select callers from incidents where id = $1) callers
			from assignments a where a.incident_id = $1 and a.cleared_at is null) m
		where i.id = $2`, p.IncidentID, p.Into, seq)
	b.Queue(`update incidents i set notes = i.notes || d.notes, notes_internal = i.notes_internal || d.notes_internal
		from incidents d where d.id = $1 and i.id = $2`, p.IncidentID, p.Into)
	b.Queue(`update assignments set incident_id = $2 where incident_id = $1 and cleared_at is null`, p.IncidentID, p.Into)
	b.Queue(`update units set incident_id = $2 where incident_id = $1`, p.IncidentID, p.Into)
	b.Queue(`update incidents set status = 'closed', closed_at = $2, disposition = 'merged into ' || (select number from incidents where id = $3),
			last_seq = $4 where id = $1`, p.IncidentID, at, p.Into, seq)
}

func projectCallerLinked(b *pgx.Batch, ev cc112.Event, p *cc112.CallerLinkedPayload) {
	seq := int64(ev.Seq)
	b.Queue(`update incidents set callers = callers + 1, last_seq = $2 where id = $1`, p.IncidentID, seq)
}

func projectIncidentImported(b *pgx.Batch, ev cc112.Event, p *cc112.IncidentImportedPayload) {
	seq := int64(ev.Seq)
	projectImported(b, seq, p)
}
