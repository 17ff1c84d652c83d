-- Incident and complaint numbers (SBY-/ADU-YYYYMMDD-NNNN) are decided by the
-- engine and journaled with the record since this version; the projections
-- store them as written, so the per-day counters are no longer needed.
drop table incident_days;
drop table complaint_days;

---- create above / drop below ----
-- An older binary counts on the counters: rebuild them from the rows (live
-- records only: imported incidents keep their external number).
create table incident_days (
	wib_day text primary key,
	n       int not null
);
insert into incident_days (wib_day, n)
select wib_day, count(*) from incidents where source <> 'import' group by wib_day;
create table complaint_days (
	wib_day text primary key,
	n       int not null
);
insert into complaint_days (wib_day, n)
select to_char(received_at at time zone 'Asia/Jakarta', 'YYYYMMDD'), count(*) from complaints group by 1;
