-- The travel time predicted at dispatch, beside the arrival it predicted:
-- how a city learns whether its speeds are right. Filled from the journal
-- for a database that already has assignments.
alter table assignments add column predicted_eta_s double precision;
alter table assignments add column eta_method text not null default '';

update assignments a
set predicted_eta_s = nullif((e.data->>'predicted_eta_s')::double precision, 0),
	eta_method = coalesce(e.data->>'eta_method', '')
from events e
where e.seq = a.seq and e.type = 'unit.assigned';

---- create above / drop below ----
alter table assignments drop column eta_method;
alter table assignments drop column predicted_eta_s;
