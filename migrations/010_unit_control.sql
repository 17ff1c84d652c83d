-- Unit control (issue 15): who set a unit's status on its crew's behalf,
-- why a unit is out of service, and each status step's author.
alter table units add column status_by text not null default '';
alter table units add column out_of_service text not null default '';
alter table unit_status_history add column by text not null default '';

---- create above / drop below ----
alter table unit_status_history drop column by;
alter table units drop column out_of_service;
alter table units drop column status_by;
