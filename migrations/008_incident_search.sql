-- The incident list's search in SQL (GET /api/v1/incidents: history pages,
-- text over number, address, description, notes and the caller's phone),
-- and the fields reports need since issue 14: where the response clock
-- starts (call_received_at) and the confirmation of a location outside the
-- service area.
-- Trigram indexes (pg_trgm, a trusted extension since PostgreSQL 13) in
-- the public schema, named from there: dispatchd's own schema may be
-- another (the tests run each on its own).
create extension if not exists pg_trgm with schema public;

alter table incidents
	add column call_received_at   timestamptz,
	add column out_of_area_reason text,
	add column out_of_area_by     text,
	add column out_of_area_m      double precision,
	-- The notes' text, lower-cased, one note a line: those every viewer of
	-- the incident reads, and the internal ones (the center's staff only).
	add column notes          text not null default '',
	add column notes_internal text not null default '';

-- What a text search reads, as the engine's index reads it
-- (dispatch/search.go): what every viewer may see, and the caller's phone
-- also as dialled at home ("+62812…" is found as "0812…"), which only
-- viewers who see callers may match.
alter table incidents
	add column search_text text generated always as
		(lower(number || E'\n' || address || E'\n' || description) || E'\n' || notes) stored,
	add column search_phone text generated always as
		(caller_phone || case when caller_phone like '+62%' then E'\n0' || substr(caller_phone, 4) else '' end) stored;

-- One trigram index over all three (a query holds no newline, so no match
-- spans two): one index scan a search, whatever the viewer may match; which
-- part matched is checked on the rows it finds (postgres/search.go).
create index incidents_search on incidents using gin
	((search_text || E'\n' || search_phone || E'\n' || notes_internal) public.gin_trgm_ops);
-- History pages: newest first, ids in byte order (the cursor's).
create index incidents_received_id on incidents (received_at desc, (id collate "C") desc);
create index assignments_incident_agency on assignments (incident_id, lower(agency));

-- The rows written before this version, from their events.
update incidents i set call_received_at = (e.data->>'call_received_at')::timestamptz
from events e where e.type = 'incident.created' and e.data->>'id' = i.id and e.data ? 'call_received_at';
update incidents i set call_received_at = to_timestamp((e.data->>'call_received_ms')::bigint / 1000.0)
from events e where e.type = 'incident.imported' and e.data->>'id' = i.id and e.data ? 'call_received_ms';
update incidents i set out_of_area_reason = o.data->>'reason', out_of_area_by = o.data->>'by',
	out_of_area_m = (o.data->>'distance_m')::double precision
from (select distinct on (id) id, data from (
		select data->>'id' id, seq, data->'out_of_area' data from events where type = 'incident.created' and data ? 'out_of_area'
		union all
		select data->>'incident_id', seq, data->'out_of_area' from events where type = 'incident.edited' and data ? 'out_of_area'
	) x order by id, seq desc) o
where o.id = i.id;
-- Notes moved by a merge before this version stay with their duplicate here.
update incidents i set notes = n.pub, notes_internal = n.internal
from (select data->>'incident_id' id,
		coalesce(string_agg(E'\n' || lower(data->'note'->>'text'), '' order by seq)
			filter (where not coalesce((data->'note'->>'internal')::boolean, false)), '') pub,
		coalesce(string_agg(E'\n' || lower(data->'note'->>'text'), '' order by seq)
			filter (where coalesce((data->'note'->>'internal')::boolean, false)), '') internal
	from events where type = 'incident.noted' group by 1) n
where n.id = i.id;

---- create above / drop below ----
drop index assignments_incident_agency;
drop index incidents_received_id;
alter table incidents drop column search_phone, drop column search_text, drop column notes_internal, drop column notes,
	drop column out_of_area_m, drop column out_of_area_by, drop column out_of_area_reason, drop column call_received_at;
