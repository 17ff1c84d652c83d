-- Breadcrumbs: sampled GPS fixes, append-only (never updated in place),
-- written in batches with COPY, read by unit and time for track playback.
create table positions (
	unit_id  text not null,
	at       timestamptz not null,
	lat      double precision not null,
	lon      double precision not null,
	heading  real,
	speed    real,
	accuracy real
);
create index positions_unit_at on positions (unit_id, at);

---- create above / drop below ----
drop table positions;
