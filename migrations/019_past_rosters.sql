-- What else leaves the engine's memory with the years (issue 21).
-- The external id of an archived imported incident is its number: an
-- expression index finds a re-import of one (the rows archived before this
-- migration included).
create index incident_archive_imported on incident_archive ((doc->>'number')) where doc->>'source' = 'import';

-- Roster shifts ended longer than the history window ago
-- (roster.archived), written in the transaction of the event and never
-- changed again. doc is the shift as the engine held it (the times to the
-- nanosecond); from_at and to_at order it (a unit's shifts never overlap,
-- so both orders are one).
create table roster_archive (
	unit_id text not null,
	from_at timestamptz not null,
	to_at   timestamptz not null,
	doc     jsonb not null,
	primary key (unit_id, from_at)
);
create index roster_archive_to on roster_archive (unit_id, to_at);

---- create above / drop below ----

drop table roster_archive;
drop index incident_archive_imported;
