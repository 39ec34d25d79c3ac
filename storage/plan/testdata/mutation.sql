-- Written by TestGoldenSQL (go test ./storage/plan -run TestGoldenSQL -update); do not edit.

-- case: lock every row (update or delete without a where)
SELECT r1.id FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1.id FOR UPDATE OF r1;

-- case: lock the rows of a where
-- $1: int64 2000
-- $2: string "%live%"
SELECT r1.id FROM "db_1"."albums" r1 WHERE ((r1."year" < $1::bigint) AND (NOT coalesce(r1."title" COLLATE "C" ILIKE $2::text, false))) ORDER BY r1.id FOR UPDATE OF r1;

-- case: lock the rows of a where through a relationship
-- $1: string "Nina"
SELECT r1.id FROM "db_1"."tracks" r1 WHERE EXISTS (SELECT 1 FROM "db_1"."albums" r2 WHERE r2.id = r1."album" AND EXISTS (SELECT 1 FROM "db_1"."artists" r3 WHERE r3.id = r2."artist" AND (r3."name" = $1::text))) ORDER BY r1.id FOR UPDATE OF r1;

-- case: returning of a many-row mutation: affected rows and the written rows by id
-- $1: *pq.Int64Array {4,5}
SELECT json_build_object('affected_rows'::text, '2'::json, 'returning'::text, coalesce(json_agg(json_build_object('id'::text, r1."id"::text, 'album'::text, (SELECT json_build_object('title'::text, r2."title") FROM "db_1"."albums" r2 WHERE r2.id = r1."album")) ORDER BY r1.id ASC), '[]'::json)) FROM (SELECT r1.* FROM "db_1"."tracks" r1 WHERE r1.id = ANY($1::bigint[]) ORDER BY r1.id ASC) r1 GROUP BY ();

-- case: returning of a one-row mutation
-- $1: int64 4
SELECT (SELECT json_build_object('id'::text, r1."id"::text, 'Track Name'::text, r1."Track Name") FROM "db_1"."tracks" r1 WHERE r1.id = $1::bigint);
