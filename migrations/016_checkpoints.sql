-- Checkpoints of the engine's state (dispatch/checkpoint.go): a start loads
-- the newest valid one and replays only the events after seq. sum is the
-- SHA-256 of data, checked before data is trusted. The engine keeps the
-- newest two; the table holds nothing a replay of the journal cannot make.
create table checkpoints (
	seq      bigint primary key,
	taken_at timestamptz not null,
	sum      bytea not null,
	data     bytea not null
);

---- create above / drop below ----

drop table checkpoints;
