package cc112

// The event vocabulary: every journaled event type and every live-feed event
// name, declared once. The engine, its extensions, the PostgreSQL
// projections and the live feed import these; the strings are the journal's
// format, so a constant never changes once released.

// Journaled event types of the core (dispatch).
const (
	EvUnitRegistered    = "unit.registered"
	EvCameraRegistered  = "camera.registered"
	EvCameraStatus      = "camera.status"
	EvIncidentCreated   = "incident.created"
	EvIncidentImported  = "incident.imported"
	EvUnitAssigned      = "unit.assigned"
	EvUnitStatus        = "unit.status"
	EvUnitMoved         = "unit.moved"
	EvIncidentClosed    = "incident.closed"
	EvCallerLinked      = "incident.caller_linked"
	EvIncidentNoted     = "incident.noted" // a note added to the narrative
	EvIncidentCancelled = "incident.cancelled"
	EvIncidentReopened  = "incident.reopened"
	EvIncidentEdited    = "incident.edited"
	EvIncidentMerged    = "incident.merged" // a duplicate merged into another incident
	EvUnitReleased      = "unit.released"   // one unit taken off an incident (or diverted to another)
	EvUnitService       = "unit.service"    // a unit put out of service with a reason, or back
	EvUnitRelocated     = "unit.relocated"  // a free unit sent to wait at another post (move-up advice)
	EvIncidentAlarm     = "incident.alarm"  // an incident's alarm raised to level 2 or 3
	EvRosterSet         = "roster.set"      // a unit's shifts from now on (who is on it, from when to when)
	// EvIncidentArchived takes a long-closed incident out of the engine's
	// memory into the store's archive (its payload is the whole incident);
	// EvIncidentRestored brings one back (a reopen) before the command's
	// own events, so that a replay does the same.
	EvIncidentArchived = "incident.archived"
	EvIncidentRestored = "incident.restored"
	// EvRosterArchived takes roster shifts that ended longer than the
	// history window ago out of the engine's memory into the store's
	// shift archive (its payload is the shifts); they never come back.
	EvRosterArchived = "roster.archived"
	// EvCityChanged is an admin's change of the city (units added, edited
	// or retired; stations, agencies, plans), or a whole pack applied: one
	// event, with who and each entry's before and after.
	EvCityChanged = "city.changed"
	// EvAssignmentAcknowledged is a unit's "Terima": it has seen its dispatch.
	EvAssignmentAcknowledged = "assignment.acknowledged"
	// EvCommandKey records an Idempotency-Key with its command's answer.
	EvCommandKey = "command.key"
	// EvJournalRefused takes the seqs of a command whose events the journal
	// refused (ErrUnstorable, groupcommit.go) when commands after it were
	// already queued: seqs stay consecutive; replay applies it as nothing.
	EvJournalRefused = "journal.refused"
)

// Journaled event types of the call center.
const (
	EvCallStarted            = "call.started"
	EvCallLocated            = "call.located"
	EvCallLinked             = "call.linked"
	EvCallClosed             = "call.closed"
	EvAMLPending             = "aml.pending"
	EvComplaintReceived      = "complaint.received"
	EvComplaintForwarded     = "complaint.forwarded"
	EvComplaintResponded     = "complaint.responded"
	EvComplaintFeedback      = "complaint.feedback"
	EvComplaintEscalationDue = "complaint.escalation_due"
	// The escalation SMS's outcome, written by the outbox.
	EvComplaintEscalationSent   = "complaint.escalation_sent"
	EvComplaintEscalationFailed = "complaint.escalation_failed"
	// The Media Center's ladder and the citizen's side (issue 20).
	EvComplaintReforwarded    = "complaint.reforwarded"    // an agency said not theirs: to others, with the reason
	EvComplaintTriageOverdue  = "complaint.triage_overdue" // not forwarded in time: the desk supervisor is alerted
	EvComplaintNoticeDue      = "complaint.notice_due"     // a notice to the citizen (outcome: escalation_sent/failed)
	EvComplaintRated          = "complaint.rated"          // the citizen's puas / tidak puas
	EvComplaintMailQuarantine = "complaint.mail_quarantined"
)

// Journaled event types of paging (paging/): Web Push keys and
// subscriptions, the unacknowledged-dispatch alert with its SMS to the
// crew, and messages between the center and its units.
const (
	EvPushKeys       = "push.keys"        // the VAPID key pair, made on first start
	EvPushSubscribed = "push.subscribed"  // a unit's browser subscribed to Web Push
	EvPushDropped    = "push.dropped"     // the push service said the subscription is gone (404/410)
	EvPageAckOverdue = "page.ack_overdue" // a dispatch not acknowledged in time: the alert and the SMS intent
	EvPageSMSSent    = "page.sms_sent"    // the crew's SMS taken by the gateway (or skipped: no phone)
	EvPageSMSFailed  = "page.sms_failed"  // the crew's SMS failed; retried with backoff
	EvMessageSent    = "message.sent"     // a message between the center and units
)

// Journaled event types of accounts, the audit log and camera views.
const (
	EvUserSaved      = "auth.user.saved"      // a user added or changed (role, binding, password)
	EvSessionOpened  = "auth.session.opened"  // a login: the token's hash and expiry
	EvSessionRevoked = "auth.session.revoked" // a logout, or every session of a user
	EvDeviceSaved    = "auth.device.saved"    // a tracker device and its secret's hash
	EvAuditRecorded  = "audit.recorded"       // one audit entry
	// A view's start is made durable before any video flows, so that a crash
	// still leaves its start on record; its end is a second event.
	EvViewStarted = "camera.view_started"
	EvViewEnded   = "camera.view_ended"
)

// Journaled event types of camera recording (cctv/): a supervisor's
// "always record" mark, an incident's evidence lock on its cameras'
// recordings (taken when the recorder first sees the incident) and its
// release by a supervisor.
const (
	EvCameraRecordAlways = "camera.record_always"
	EvEvidenceLocked     = "camera.evidence_locked"
	EvEvidenceReleased   = "camera.evidence_released"
	EvEvidenceKey        = "camera.evidence_key"      // the Ed25519 key that signs exports, made once
	EvEvidenceExported   = "camera.evidence_exported" // an export's signed manifest
)

// Journaled event types of the alerts (package alerts): a condition that
// needs a dispatcher raised, acknowledged by whom, cleared when it is gone.
const (
	EvAlertRaised       = "alert.raised"
	EvAlertAcknowledged = "alert.acknowledged"
	EvAlertCleared      = "alert.cleared"
)

// EventTypes lists every journaled event type. Tests walk it so that each
// consumer (projection, live view) must decide on every type, a new one
// included.
func EventTypes() []string {
	return []string{
		EvUnitRegistered, EvCameraRegistered, EvCameraStatus, EvIncidentCreated, EvIncidentImported,
		EvUnitAssigned, EvUnitStatus, EvUnitMoved, EvIncidentClosed, EvCallerLinked, EvIncidentNoted, EvIncidentCancelled, EvIncidentReopened, EvIncidentEdited, EvIncidentMerged, EvUnitReleased, EvUnitService, EvUnitRelocated, EvIncidentAlarm, EvRosterSet, EvCityChanged, EvAssignmentAcknowledged, EvCommandKey, EvJournalRefused,
		EvIncidentArchived, EvIncidentRestored, EvRosterArchived,
		EvCallStarted, EvCallLocated, EvCallLinked, EvCallClosed, EvAMLPending,
		EvComplaintReceived, EvComplaintForwarded, EvComplaintResponded, EvComplaintFeedback,
		EvComplaintEscalationDue, EvComplaintEscalationSent, EvComplaintEscalationFailed,
		EvComplaintReforwarded, EvComplaintTriageOverdue, EvComplaintNoticeDue, EvComplaintRated, EvComplaintMailQuarantine,
		EvUserSaved, EvSessionOpened, EvSessionRevoked, EvDeviceSaved, EvAuditRecorded,
		EvViewStarted, EvViewEnded,
		EvCameraRecordAlways, EvEvidenceLocked, EvEvidenceReleased, EvEvidenceKey, EvEvidenceExported,
		EvAlertRaised, EvAlertAcknowledged, EvAlertCleared,
		EvPushKeys, EvPushSubscribed, EvPushDropped, EvPageAckOverdue, EvPageSMSSent, EvPageSMSFailed, EvMessageSent,
	}
}

// Live feed event names (DESIGN.md §4): the resource as the API returns it.
const (
	LiveIncidentCreated  = "incident.created"
	LiveIncidentUpdated  = "incident.updated"
	LiveUnitUpdated      = "unit.updated"
	LiveUnitMoved        = "unit.moved"
	LiveUnitRetired      = "unit.retired" // the unit as it was: an admin took it off the fleet
	LiveCameraUpdated    = "camera.updated"
	LiveCallCreated      = "call.created"
	LiveCallUpdated      = "call.updated"
	LiveComplaintCreated = "complaint.created"
	LiveComplaintUpdated = "complaint.updated"
	// The alerts: the data is the alert (cc112.Alert) after the change.
	LiveAlertRaised       = "alert.raised"
	LiveAlertAcknowledged = "alert.acknowledged"
	LiveAlertCleared      = "alert.cleared"
	LiveMessageCreated    = "message.created"  // a Message
	LivePageAckOverdue    = "page.ack_overdue" // an AckOverdue: a unit did not acknowledge its dispatch
)

// LiveEvents lists every live-feed event name.
func LiveEvents() []string {
	return []string{
		LiveIncidentCreated, LiveIncidentUpdated, LiveUnitUpdated, LiveUnitMoved, LiveUnitRetired, LiveCameraUpdated,
		LiveCallCreated, LiveCallUpdated, LiveComplaintCreated, LiveComplaintUpdated,
		LiveAlertRaised, LiveAlertAcknowledged, LiveAlertCleared,
		LiveMessageCreated, LivePageAckOverdue,
	}
}
