-- The machine secret the instances of a pair share: a standby that forwards
-- a command sends it, so that the leader believes the client address the
-- standby names (and no client can name one itself).
create table peer_secret (
	id     int primary key check (id = 1),
	secret text not null
);

---- create above / drop below ----
drop table peer_secret;
