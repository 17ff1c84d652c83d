-- The metrics record of each archived incident (kpi.ArchiveRecord of its
-- document), written with the document in the event's transaction and
-- deleted with it (on delete cascade): a response-time report over a
-- window reads these narrow rows in received_at order, not the documents.
-- The incidents archived before this migration are marked unmeasured
-- (the partial index finds them without reading the table): dispatchd
-- writes their records at start, then clears the mark.
create table incident_archive_metrics (
	id          text primary key references incident_archive (id) on delete cascade,
	received_at timestamptz not null,
	record      bytea not null
);
create index incident_archive_metrics_order on incident_archive_metrics (received_at, id);
alter table incident_archive add column unmeasured boolean;
update incident_archive set unmeasured = true;
create index incident_archive_unmeasured on incident_archive (id) where unmeasured;

---- create above / drop below ----

drop index incident_archive_unmeasured;
alter table incident_archive drop column unmeasured;
drop table incident_archive_metrics;
