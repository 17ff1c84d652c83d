-- The metrics record of each archived incident (kpi.AppendRecord of
-- kpi.FromIncident of doc), written with its document: a response-time
-- report over a window reads these, not the documents, and the engine's
-- metrics index no longer holds archived incidents. A row archived by an
-- older version has none: dispatchd fills them at start (the partial index
-- finds them without reading the table).
alter table incident_archive add column metrics bytea;
create index incident_archive_unfilled on incident_archive (id) where metrics is null;

---- create above / drop below ----

drop index incident_archive_unfilled;
alter table incident_archive drop column metrics;
