-- Alerts (package alerts): raised, acknowledged by whom, cleared, for the
-- reports on how long conditions waited for a dispatcher. Filled from the
-- journal for a database that already holds events.
create table alerts (
	id              text primary key,
	kind            text not null,
	severity        text not null,
	key             text not null,
	incident_id     text,
	unit_id         text,
	unit_type       text not null default '',
	grp             text not null default '',
	agency          text not null default '',
	due_at          timestamptz not null,
	raised_at       timestamptz not null,
	acknowledged_by text not null default '',
	acknowledged_at timestamptz,
	cleared_at      timestamptz,
	last_seq        bigint not null
);
create index alerts_raised_at on alerts (raised_at);
create index alerts_open on alerts (raised_at) where cleared_at is null;

insert into alerts (id, kind, severity, key, incident_id, unit_id, unit_type, grp, agency, due_at, raised_at, last_seq)
select data->>'id', data->>'kind', data->>'severity', data->>'key', nullif(data->>'incident_id', ''), nullif(data->>'unit_id', ''),
	coalesce(data->>'unit_type', ''), coalesce(data->>'group', ''), coalesce(data->>'agency', ''),
	(data->>'due_at')::timestamptz, at, seq
from events where type = 'alert.raised';
update alerts a set acknowledged_by = e.data->>'by', acknowledged_at = e.at, last_seq = greatest(a.last_seq, e.seq)
from events e where e.type = 'alert.acknowledged' and e.data->>'alert_id' = a.id;
update alerts a set cleared_at = e.at, last_seq = greatest(a.last_seq, e.seq)
from events e where e.type = 'alert.cleared' and e.data->>'alert_id' = a.id;

---- create above / drop below ----
drop table alerts;
