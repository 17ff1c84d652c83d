-- The city pack and its live changes (issue 17): a unit's capabilities,
-- and when an admin retired it (the row stays: its assignments name it).
alter table units add column capabilities text[] not null default '{}';
alter table units add column retired_at timestamptz;

---- create above / drop below ----
alter table units drop column retired_at;
alter table units drop column capabilities;
