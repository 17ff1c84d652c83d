-- The incidents the engine archived (incident.archived: closed longer than
-- its history window, out of its memory), written in the transaction of the
-- event and deleted in that of incident.restored. doc is the incident as
-- the engine held it; (received_at, id) is the history's order. Searches
-- still go through the incidents table, which keeps every incident.
create table incident_archive (
	id          text primary key,
	received_at timestamptz not null,
	doc         jsonb not null
);
create index incident_archive_order on incident_archive (received_at desc, id desc);

---- create above / drop below ----

drop table incident_archive;
