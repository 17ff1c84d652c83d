-- When a unit acknowledged ("Terima") its dispatch: the time from dispatch
-- to acknowledgement is a report of its own.
alter table assignments add column acknowledged_at timestamptz;

---- create above / drop below ----
alter table assignments drop column acknowledged_at;
