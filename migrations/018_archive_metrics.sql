-- A placeholder for h1's migration 018 (the metrics index out of RAM), so that
-- 019 has its predecessor on this branch: the merge takes h1's file.
select 1;

---- create above / drop below ----

select 1;
