-- Complaints of the Media Center, historical (imported) incidents and the
-- callers count of incidents, projected like the rest: in the transaction
-- of their events. What a journal already holds is projected below, so an
-- existing database has full tables after this migration.

-- Complaints for the desk's searches and policy reports. The reporter's
-- name and phone and the tracking token stay in the journal only.
create table complaints (
	id           text primary key,
	number       text not null,
	channel      text not null,
	category     text not null,
	district     text not null default '',
	agency       text not null default '', -- forwarded to
	status       text not null,
	text         text not null,
	received_at  timestamptz not null,
	forwarded_at timestamptz,
	responded_at timestamptz,
	feedback_at  timestamptz,
	escalated_at timestamptz,
	last_seq     bigint not null
);
create index complaints_received_at on complaints (received_at);
create index complaints_agency on complaints (agency, received_at);
create index complaints_category on complaints (category, received_at);
create index complaints_district on complaints (lower(district), received_at); -- the desk matches it case-insensitively
create index complaints_status on complaints (status, received_at);

-- Complaints numbered so far per WIB day (ADU-YYYYMMDD-NNNN).
create table complaint_days (
	wib_day text primary key,
	n       int not null
);

-- Calls that reported an incident: the first and every linked duplicate.
alter table incidents add column callers int not null default 0;

-- An imported incident's units are callsigns of the past, not registered
-- units, and arrive together in one event: an assignment is keyed by its
-- event and its place in it, names its unit itself, and may lack times.
alter table assignments drop constraint assignments_pkey;
alter table assignments add column ord int not null default 0;
alter table assignments add primary key (seq, ord);
alter table assignments alter column unit_id drop not null;
alter table assignments alter column dispatched_at drop not null;
alter table assignments add column callsign text not null default '';
alter table assignments add column unit_type text not null default '';
alter table assignments add column agency text not null default '';
update assignments a set callsign = u.callsign, unit_type = u.type, agency = u.agency
	from units u where u.id = a.unit_id;

-- Backfill from the journal, with the rules of postgres/project.go.
create or replace function pg_temp.cc112_wib_day(t timestamptz) returns text language sql immutable as $$
	select to_char(t at time zone interval '+07:00', 'YYYYMMDD')
$$;
create or replace function pg_temp.cc112_ms(v jsonb) returns timestamptz language sql immutable as $$
	select case when coalesce((v #>> '{}')::bigint, 0) = 0 then null
		else timestamptz 'epoch' + (v #>> '{}')::bigint * interval '1 millisecond' end
$$;

update incidents i set callers = coalesce((e.data->>'callers')::int, 0)
	from events e where e.type = 'incident.created' and e.data->>'id' = i.id;
update incidents i set callers = callers + l.n, last_seq = greatest(last_seq, l.seq)
	from (select data->>'incident_id' as id, count(*) as n, max(seq) as seq from events
		where type = 'incident.caller_linked' group by 1) l
	where l.id = i.id;

insert into incidents (id, number, wib_day, category, priority, status, lat, lon, district, address, description,
		source, received_at, dispatched_at, enroute_at, onscene_at, closed_at, disposition, last_seq)
select e.data->>'id', e.data->>'external_id', pg_temp.cc112_wib_day(pg_temp.cc112_ms(e.data->'received_ms')),
	e.data->>'category', (e.data->>'priority')::int, 'closed',
	(e.data#>>'{location,lat}')::float8, (e.data#>>'{location,lon}')::float8, coalesce(e.data->>'district', ''),
	coalesce(e.data->>'address', ''), coalesce(e.data->>'description', ''), 'import',
	pg_temp.cc112_ms(e.data->'received_ms'),
	(select min(pg_temp.cc112_ms(u->'dispatched_ms')) from jsonb_array_elements(e.data->'units') u),
	(select min(pg_temp.cc112_ms(u->'enroute_ms')) from jsonb_array_elements(e.data->'units') u),
	(select min(pg_temp.cc112_ms(u->'onscene_ms')) from jsonb_array_elements(e.data->'units') u),
	pg_temp.cc112_ms(e.data->'closed_ms'), 'imported', e.seq
from events e where e.type = 'incident.imported' order by e.seq;

insert into assignments (seq, ord, incident_id, unit_id, callsign, unit_type, agency, status,
		dispatched_at, enroute_at, onscene_at, cleared_at)
select e.seq, u.ord - 1, e.data->>'id', null, u.v->>'callsign', u.v->>'type', coalesce(u.v->>'agency', ''),
	case when pg_temp.cc112_ms(u.v->'onscene_ms') is not null then 'onscene'
		when pg_temp.cc112_ms(u.v->'enroute_ms') is not null then 'enroute' else 'dispatched' end,
	pg_temp.cc112_ms(u.v->'dispatched_ms'), pg_temp.cc112_ms(u.v->'enroute_ms'),
	pg_temp.cc112_ms(u.v->'onscene_ms'), pg_temp.cc112_ms(u.v->'cleared_ms')
from events e, jsonb_array_elements(e.data->'units') with ordinality as u (v, ord)
where e.type = 'incident.imported';

-- The engine numbers complaints per WIB day of receipt, in journal order.
insert into complaints (id, number, channel, category, district, status, text, received_at, last_seq)
select id, coalesce(nullif(number, ''), 'ADU-' || day || '-' || lpad(n::text, greatest(4, length(n::text)), '0')),
	channel, category, district, 'received', text, received_at, seq
from (select e.seq, e.data->>'id' as id, e.data->>'number' as number, e.data->>'channel' as channel,
		e.data->>'category' as category, coalesce(e.data->>'district', '') as district, e.data->>'text' as text,
		(e.data->>'received_at')::timestamptz as received_at,
		pg_temp.cc112_wib_day((e.data->>'received_at')::timestamptz) as day,
		row_number() over (partition by pg_temp.cc112_wib_day((e.data->>'received_at')::timestamptz) order by e.seq) as n
	from events e where e.type = 'complaint.received') r;
insert into complaint_days (wib_day, n)
select pg_temp.cc112_wib_day((data->>'received_at')::timestamptz), count(*) from events
	where type = 'complaint.received' group by 1;

-- Forward, answer and feedback happen at most once each, in this order (a
-- feedback may skip the others), so applying them in this order ends in
-- the journal's state.
update complaints c set status = 'forwarded', agency = coalesce(e.data->>'agency', e.data#>>'{agencies,0}'), forwarded_at = e.at, last_seq = e.seq
	from events e where e.type = 'complaint.forwarded' and e.data->>'complaint_id' = c.id;
update complaints c set status = 'responded', responded_at = e.at, last_seq = greatest(c.last_seq, e.seq)
	from events e where e.type = 'complaint.responded' and e.data->>'complaint_id' = c.id;
update complaints c set status = 'closed', feedback_at = e.at, last_seq = greatest(c.last_seq, e.seq)
	from events e where e.type = 'complaint.feedback' and e.data->>'complaint_id' = c.id;
update complaints c set escalated_at = e.at, last_seq = greatest(c.last_seq, e.seq)
	from events e where e.type = 'complaint.escalation_due' and e.data->>'complaint_id' = c.id;

---- create above / drop below ----
delete from assignments where incident_id in (select id from incidents where source = 'import');
delete from incidents where source = 'import';
alter table assignments drop column agency;
alter table assignments drop column unit_type;
alter table assignments drop column callsign;
alter table assignments alter column dispatched_at set not null;
alter table assignments alter column unit_id set not null;
alter table assignments drop constraint assignments_pkey;
alter table assignments drop column ord;
alter table assignments add primary key (seq);
alter table incidents drop column callers;
drop table complaint_days;
drop table complaints;
