-- The Media Center (issue 20): a complaint goes to several agencies, each
-- with its own response SLA; it is re-forwarded when an agency says it is
-- not theirs; the citizen rates the answer (tidak puas reopens it); the
-- desk supervisor is alerted when it is not forwarded in time.

-- One row per forward, in the order they were made.
create table complaint_forwards (
	complaint_id text not null references complaints (id),
	ord          int not null,
	agency       text not null,
	status       text not null, -- open, answered, rejected
	forwarded_at timestamptz not null,
	responded_at timestamptz,
	escalated_at timestamptz,
	reason       text not null default '', -- rejected: why it is not the agency's
	primary key (complaint_id, ord)
);
create index complaint_forwards_agency on complaint_forwards (agency, forwarded_at);

alter table complaints add column kelurahan text not null default '';
alter table complaints add column triage_alert_at timestamptz;
alter table complaints add column rating text not null default '';
alter table complaints add column rated_at timestamptz;
alter table complaints add column reopened int not null default 0;

-- Rebuilt from the journal with the rules of postgres/project_complaints.go,
-- event by event in journal order (004's backfill knew one agency each).
update complaints set status = 'received', agency = '', forwarded_at = null, responded_at = null, feedback_at = null,
	escalated_at = null;
update complaints c set kelurahan = coalesce(e.data->>'kelurahan', ''), last_seq = e.seq
	from events e where e.type = 'complaint.received' and e.data->>'id' = c.id;
do $$
declare
	e record;
	cid text;
	ag text;
	a text;
	agencies text[];
begin
	for e in select seq, type, at, data from events where type in ('complaint.forwarded', 'complaint.reforwarded',
			'complaint.responded', 'complaint.feedback', 'complaint.rated', 'complaint.triage_overdue', 'complaint.escalation_due')
			order by seq loop
		cid := e.data->>'complaint_id';
		ag := coalesce(e.data->>'agency', '');
		if e.type in ('complaint.forwarded', 'complaint.reforwarded') then
			if e.type = 'complaint.reforwarded' then
				update complaint_forwards set status = 'rejected', reason = coalesce(e.data->>'text', '')
					where complaint_id = cid and ord = (select min(ord) from complaint_forwards
						where complaint_id = cid and status = 'open' and (ag = '' or agency = ag));
			end if;
			agencies := array(select jsonb_array_elements_text(coalesce(e.data->'agencies', '[]'::jsonb)));
			if e.type = 'complaint.forwarded' and cardinality(agencies) = 0 then
				agencies := array[ag];
			end if;
			foreach a in array agencies loop
				insert into complaint_forwards (complaint_id, ord, agency, status, forwarded_at)
					values (cid, (select count(*) from complaint_forwards where complaint_id = cid), a, 'open', e.at);
			end loop;
			if cardinality(agencies) > 0 then
				update complaints set status = 'forwarded', agency = case when agency = '' then agencies[1] else agency end,
					forwarded_at = coalesce(forwarded_at, e.at), last_seq = e.seq where id = cid;
			end if;
		elsif e.type = 'complaint.responded' then
			update complaint_forwards set status = 'answered', responded_at = e.at
				where complaint_id = cid and ord = (select min(ord) from complaint_forwards
					where complaint_id = cid and status = 'open' and (ag = '' or agency = ag));
			update complaints set responded_at = e.at, last_seq = e.seq,
				status = case when exists (select 1 from complaint_forwards f where f.complaint_id = cid and f.status = 'open')
					then status else 'responded' end
				where id = cid;
		elsif e.type = 'complaint.feedback' then
			update complaints set status = 'closed', feedback_at = coalesce(feedback_at, e.at), last_seq = e.seq where id = cid;
		elsif e.type = 'complaint.rated' then
			if e.data->>'rating' = 'tidak_puas' then
				update complaints set rating = e.data->>'rating', rated_at = null, status = 'received', reopened = reopened + 1,
					triage_alert_at = null, last_seq = e.seq where id = cid;
			else
				update complaints set rating = e.data->>'rating', rated_at = e.at, last_seq = e.seq where id = cid;
			end if;
		elsif e.type = 'complaint.triage_overdue' then
			update complaints set triage_alert_at = e.at, last_seq = e.seq where id = cid;
		elsif e.type = 'complaint.escalation_due' then
			update complaints set escalated_at = coalesce(escalated_at, e.at), last_seq = e.seq where id = cid;
			if coalesce(e.data->>'kind', 'response') = 'response' then
				update complaint_forwards set escalated_at = e.at
					where complaint_id = cid and ord = (select min(ord) from complaint_forwards
						where complaint_id = cid and status = 'open' and escalated_at is null and (ag = '' or agency = ag));
			end if;
		end if;
	end loop;
end $$;

---- create above / drop below ----
alter table complaints drop column reopened;
alter table complaints drop column rated_at;
alter table complaints drop column rating;
alter table complaints drop column triage_alert_at;
alter table complaints drop column kelurahan;
drop table complaint_forwards;
