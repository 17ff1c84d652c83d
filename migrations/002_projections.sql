-- Projections for reporting and search, written in the same transaction as
-- the events they come from. They can be rebuilt from events at any time.

-- Incident statuses only move forward.
create function cc112_incident_rank(s text) returns int language sql immutable as $$
	select case s when 'new' then 0 when 'dispatched' then 1 when 'enroute' then 2
		when 'onscene' then 3 when 'closed' then 4 else -1 end
$$;

create table incidents (
	id            text primary key,
	number        text not null,
	wib_day       text not null,
	category      text not null,
	priority      int not null,
	status        text not null,
	lat           double precision not null,
	lon           double precision not null,
	district      text not null default '',
	address       text not null default '',
	description   text not null default '',
	caller_name   text not null default '',
	caller_phone  text not null default '',
	source        text not null default '',
	received_at   timestamptz not null,
	dispatched_at timestamptz,
	enroute_at    timestamptz,
	onscene_at    timestamptz,
	closed_at     timestamptz,
	disposition   text not null default '',
	last_seq      bigint not null
);
create index incidents_received_at on incidents (received_at);
create index incidents_status on incidents (status) where status <> 'closed';
create index incidents_wib_day on incidents (wib_day);

-- Incidents numbered so far per WIB day (SBY-YYYYMMDD-NNNN), so that
-- numbering an incident costs one row update, not a count.
create table incident_days (
	wib_day text primary key,
	n       int not null
);

create table units (
	id          text primary key,
	callsign    text not null,
	type        text not null,
	agency      text not null,
	station     text not null default '',
	status      text not null,
	status_at   timestamptz not null,
	incident_id text
);

create table assignments (
	seq           bigint primary key, -- the unit.assigned event
	incident_id   text not null references incidents (id),
	unit_id       text not null references units (id),
	status        text not null,
	dispatched_at timestamptz not null,
	enroute_at    timestamptz,
	onscene_at    timestamptz,
	cleared_at    timestamptz
);
create index assignments_incident on assignments (incident_id);
create index assignments_active_unit on assignments (unit_id) where cleared_at is null;

create table unit_status_history (
	seq         bigint not null,
	unit_id     text not null,
	status      text not null,
	at          timestamptz not null,
	incident_id text,
	primary key (seq, unit_id) -- one event (a close) frees several units
);
create index unit_status_history_unit_at on unit_status_history (unit_id, at);

---- create above / drop below ----
drop table unit_status_history;
drop table assignments;
drop table units;
drop table incident_days;
drop table incidents;
drop function cc112_incident_rank(text);
