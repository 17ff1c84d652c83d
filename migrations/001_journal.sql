-- The journal: append-only, one row per event, seq consecutive from 1.
create table events (
	seq  bigint primary key,
	type text not null,
	at   timestamptz not null,
	data jsonb not null
);

-- Who holds the leader lease (the advisory lock) and where it answers.
-- One row; the leader overwrites it when it takes the lease.
create table leader (
	id       int primary key default 1 check (id = 1),
	instance text not null,
	addr     text not null,
	since    timestamptz not null
);

---- create above / drop below ----
drop table leader;
drop table events;
