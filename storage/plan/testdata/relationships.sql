-- Written by TestGoldenSQL (go test ./storage/plan -run TestGoldenSQL -update); do not edit.

-- case: object relationship, two levels
SELECT coalesce(json_agg(json_build_object('name'::text, r1."Track Name", 'album'::text, CASE WHEN r2.id IS NULL THEN NULL ELSE json_build_object('title'::text, r2."title", 'artist'::text, CASE WHEN r3.id IS NULL THEN NULL ELSE json_build_object('name'::text, r3."name") END) END) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."tracks" r1 WHERE TRUE ORDER BY r1.id ASC LIMIT 10) r1 LEFT JOIN "db_1"."albums" r2 ON r2.id = r1."album" LEFT JOIN "db_1"."artists" r3 ON r3.id = r2."artist";

-- case: object relationship inside an array relationship: joined in the array's subquery
SELECT coalesce(json_agg(json_build_object('albums'::text, (SELECT coalesce(json_agg(json_build_object('title'::text, r2."title", 'artist'::text, CASE WHEN r3.id IS NULL THEN NULL ELSE json_build_object('name'::text, r3."name") END) ORDER BY r2.id ASC), '[]'::json) FROM (SELECT r2.* FROM "db_1"."albums" r2 WHERE r2."artist" = r1.id ORDER BY r2.id ASC LIMIT 5) r2 LEFT JOIN "db_1"."artists" r3 ON r3.id = r2."artist")) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."artists" r1 WHERE TRUE ORDER BY r1.id ASC LIMIT 10) r1;

-- case: object relationship of a row by id: joined
-- $1: int64 7
SELECT (SELECT json_build_object('album'::text, CASE WHEN r2.id IS NULL THEN NULL ELSE json_build_object('title'::text, r2."title") END) FROM "db_1"."tracks" r1 LEFT JOIN "db_1"."albums" r2 ON r2.id = r1."album" WHERE r1.id = $1::bigint);

-- case: object relationship in aggregate nodes: a subquery
SELECT json_build_object('nodes'::text, coalesce(json_agg(json_build_object('album'::text, (SELECT json_build_object('title'::text, r2."title") FROM "db_1"."albums" r2 WHERE r2.id = r1."album")) ORDER BY r1.id ASC), '[]'::json)) FROM (SELECT r1.* FROM "db_1"."tracks" r1 WHERE TRUE ORDER BY r1.id ASC LIMIT 5) r1 GROUP BY ();

-- case: array relationship with where, order and limit, nested
-- $1: int64 1990
SELECT coalesce(json_agg(json_build_object('name'::text, r1."name", 'albums'::text, (SELECT coalesce(json_agg(json_build_object('title'::text, r2."title", 'tracks'::text, (SELECT coalesce(json_agg(json_build_object('id'::text, r3."id"::text, 'Track Name'::text, r3."Track Name") ORDER BY r3.id ASC), '[]'::json) FROM (SELECT r3.* FROM "db_1"."tracks" r3 WHERE r3."album" = r2.id ORDER BY r3.id ASC LIMIT 3) r3)) ORDER BY r2."year" DESC NULLS FIRST, r2.id ASC), '[]'::json) FROM (SELECT r2.* FROM "db_1"."albums" r2 WHERE r2."artist" = r1.id AND (r2."year" > $1::bigint) ORDER BY r2."year" DESC NULLS FIRST, r2.id ASC LIMIT 5 OFFSET 1) r2)) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."artists" r1 WHERE TRUE ORDER BY r1.id ASC LIMIT 10) r1;

-- case: aggregate relationship: count, sum, avg, min, max, counts of columns, nodes with a limit
SELECT coalesce(json_agg(json_build_object('albums_aggregate'::text, (SELECT json_build_object('count'::text, count(*), 'count_year'::text, count(r2."year") FILTER (WHERE r2."year" IS NOT NULL), 'count_distinct'::text, count(DISTINCT (r2."year", r2."title")) FILTER (WHERE r2."year" IS NOT NULL AND r2."title" IS NOT NULL), 'sum_price'::text, sum(r2."price")::text, 'avg_year'::text, avg(r2."year")::float8, 'min_title'::text, min(r2."title" COLLATE "C"), 'max_price'::text, max(r2."price")::text, 'nodes'::text, (SELECT coalesce(json_agg(json_build_object('id'::text, r3."id"::text, 'title'::text, r3."title") ORDER BY r3.id ASC), '[]'::json) FROM (SELECT r3.* FROM "db_1"."albums" r3 WHERE r3."artist" = r1.id AND (r3."price" IS NOT NULL) ORDER BY r3.id ASC LIMIT 2) r3)) FROM (SELECT r2.* FROM "db_1"."albums" r2 WHERE r2."artist" = r1.id AND (r2."price" IS NOT NULL) ORDER BY r2.id ASC) r2 GROUP BY ())) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."artists" r1 WHERE TRUE ORDER BY r1.id ASC LIMIT 10) r1;

-- case: aggregate relationship whose rows carry the limit
SELECT coalesce(json_agg(json_build_object('tracks_aggregate'::text, (SELECT json_build_object('sum_ms'::text, sum(r2."ms"), 'nodes'::text, coalesce(json_agg(json_build_object('id'::text, r2."id"::text, 'Track Name'::text, r2."Track Name") ORDER BY r2.id ASC), '[]'::json)) FROM (SELECT r2.* FROM "db_1"."tracks" r2 WHERE r2."album" = r1.id ORDER BY r2.id ASC LIMIT 4) r2 GROUP BY ())) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1.id ASC LIMIT 10) r1;

-- case: EXISTS forward through an object relationship
-- $1: string "Blue"
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text, 'Track Name'::text, r1."Track Name") ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."tracks" r1 WHERE EXISTS (SELECT 1 FROM "db_1"."albums" r2 WHERE r2.id = r1."album" AND (r2."title" = $1::text)) ORDER BY r1.id ASC LIMIT 10) r1;

-- case: EXISTS backward through an array relationship, nested two levels
-- $1: int64 60000
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."artists" r1 WHERE EXISTS (SELECT 1 FROM "db_1"."albums" r2 WHERE r2."artist" = r1.id AND EXISTS (SELECT 1 FROM "db_1"."tracks" r3 WHERE r3."album" = r2.id AND (r3."ms" > $1::bigint))) ORDER BY r1.id ASC LIMIT 10) r1;

-- case: EXISTS without a condition, under NOT and OR
-- $1: int64 2000
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE ((NOT EXISTS (SELECT 1 FROM "db_1"."tracks" r2 WHERE r2."album" = r1.id AND TRUE)) OR ((r1."year" = $1::bigint) AND EXISTS (SELECT 1 FROM "db_1"."artists" r3 WHERE r3.id = r1."artist" AND TRUE))) ORDER BY r1.id ASC LIMIT 10) r1;

-- case: empty and, empty or and an empty condition
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE (TRUE AND FALSE AND TRUE) ORDER BY r1.id ASC LIMIT 10) r1;
