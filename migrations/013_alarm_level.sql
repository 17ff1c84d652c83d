-- Alarm levels (issue 17): the level an incident's alarm was raised to
-- (1 is the response plan itself; 2 and 3 add the category's extra needs).
alter table incidents add column alarm_level int not null default 1;

---- create above / drop below ----
alter table incidents drop column alarm_level;
