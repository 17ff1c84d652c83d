-- The caller's phone gets its own index (issue 21): a phone's trigrams are
-- digits, and in the trigram index over all the searched text (migration
-- 008) a number's trigrams are in most rows ("081", "812", "000"): a search
-- for one number checked some 11,700 rows of a million. Here each line of
-- search_phone (the E.164 number, the number as dialled at home) is indexed
-- by its substrings of three and four characters: a query of four or more
-- finds the rows holding all its four-character ones (postgres/search.go),
-- a few rows whatever the number; one of three, the rows holding it. The
-- trigram index keeps the rest of the searched text, without the phone.
create function phone_grams(phone text) returns text[]
	language sql immutable strict parallel safe
	as $$
		select coalesce(array_agg(distinct substr(line, k, n)), '{}')
		from unnest(string_to_array(phone, E'\n')) line, generate_series(1, char_length(line)) k, (values (3), (4)) g(n)
		where k + n - 1 <= char_length(line)
	$$;
create index incidents_phone on incidents using gin (phone_grams(search_phone));
create index incidents_search_text on incidents using gin ((search_text || E'\n' || notes_internal) public.gin_trgm_ops);
drop index incidents_search;

---- create above / drop below ----

create index incidents_search on incidents using gin
	((search_text || E'\n' || search_phone || E'\n' || notes_internal) public.gin_trgm_ops);
drop index incidents_search_text;
drop index incidents_phone;
drop function phone_grams(text);
