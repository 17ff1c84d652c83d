-- A standby follows the leader's journal by notification, not by polling:
-- every transaction that appends events notifies the channel named after
-- the journal's schema (one notification per commit, delivered on commit;
-- a rolled-back batch notifies no one). postgres.Journal.WatchCommits
-- listens on it.
create function journal_notify() returns trigger language plpgsql as $$
begin
	perform pg_notify('cc112_journal_' || tg_table_schema, '');
	return null;
end $$;

create trigger events_notify after insert on events
	for each statement execute function journal_notify();

---- create above / drop below ----

drop trigger events_notify on events;
drop function journal_notify();
