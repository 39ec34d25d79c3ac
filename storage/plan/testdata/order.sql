-- Written by TestGoldenSQL (go test ./storage/plan -run TestGoldenSQL -update); do not edit.

-- case: by a column, ascending
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1."year" ASC NULLS LAST, r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1."year" ASC NULLS LAST, r1.id ASC LIMIT 20) r1;

-- case: by a column, descending (nulls first, as Postgres)
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1."year" DESC NULLS FIRST, r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1."year" DESC NULLS FIRST, r1.id ASC LIMIT 20) r1;

-- case: nulls first and nulls last
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1."year" ASC NULLS FIRST, r1."price" DESC NULLS LAST, r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1."year" ASC NULLS FIRST, r1."price" DESC NULLS LAST, r1.id ASC LIMIT 20) r1;

-- case: by text, list and JSON columns
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1."title" COLLATE public.gqlbase_text_order ASC NULLS LAST, (r1."tags")::text ASC NULLS LAST, (r1."meta")::text DESC NULLS FIRST, r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1."title" COLLATE public.gqlbase_text_order ASC NULLS LAST, (r1."tags")::text ASC NULLS LAST, (r1."meta")::text DESC NULLS FIRST, r1.id ASC LIMIT 20) r1;

-- case: by id descending: no second id key
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1."id" DESC NULLS FIRST), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1."id" DESC NULLS FIRST LIMIT 20) r1;

-- case: a key given twice counts once
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1."year" ASC NULLS LAST, r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1."year" ASC NULLS LAST, r1.id ASC LIMIT 20) r1;

-- case: through an object relationship
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY (SELECT r3."title" COLLATE public.gqlbase_text_order FROM "db_1"."albums" r3 WHERE r3.id = r1."album") ASC NULLS LAST, r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."tracks" r1 WHERE TRUE ORDER BY (SELECT r2."title" COLLATE public.gqlbase_text_order FROM "db_1"."albums" r2 WHERE r2.id = r1."album") ASC NULLS LAST, r1.id ASC LIMIT 20) r1;

-- case: through two relationships, descending nulls last
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY (SELECT (SELECT r5."name" COLLATE public.gqlbase_text_order FROM "db_1"."artists" r5 WHERE r5.id = r4."artist") FROM "db_1"."albums" r4 WHERE r4.id = r1."album") DESC NULLS LAST, r1."ms" ASC NULLS LAST, r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."tracks" r1 WHERE TRUE ORDER BY (SELECT (SELECT r3."name" COLLATE public.gqlbase_text_order FROM "db_1"."artists" r3 WHERE r3.id = r2."artist") FROM "db_1"."albums" r2 WHERE r2.id = r1."album") DESC NULLS LAST, r1."ms" ASC NULLS LAST, r1.id ASC LIMIT 20) r1;

-- case: text in byte order when asked, natural otherwise
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1."title" COLLATE "C" ASC NULLS LAST, (r1."tags")::text ASC NULLS LAST, r1."year" ASC NULLS LAST, r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1."title" COLLATE "C" ASC NULLS LAST, (r1."tags")::text ASC NULLS LAST, r1."year" ASC NULLS LAST, r1.id ASC LIMIT 20) r1;

-- case: distinct on a text column: the same collated expression leads the order
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1."title" COLLATE public.gqlbase_text_order DESC NULLS FIRST, r1.id ASC), '[]'::json) FROM (SELECT DISTINCT ON (r1."title" COLLATE public.gqlbase_text_order) r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1."title" COLLATE public.gqlbase_text_order DESC NULLS FIRST, r1.id ASC LIMIT 20) r1;

-- case: distinct on a text column in byte order
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1."title" COLLATE "C" ASC NULLS LAST, r1.id ASC), '[]'::json) FROM (SELECT DISTINCT ON (r1."title" COLLATE "C") r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1."title" COLLATE "C" ASC NULLS LAST, r1.id ASC LIMIT 20) r1;

-- case: distinct on a column, which leads the order with its direction
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1."artist" DESC NULLS LAST, r1."year" DESC NULLS FIRST, r1.id ASC), '[]'::json) FROM (SELECT DISTINCT ON (r1."artist") r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1."artist" DESC NULLS LAST, r1."year" DESC NULLS FIRST, r1.id ASC LIMIT 20) r1;

-- case: order of an array relationship
SELECT coalesce(json_agg(json_build_object('albums'::text, (SELECT coalesce(json_agg(json_build_object('id'::text, r2."id"::text) ORDER BY (SELECT r4."name" COLLATE public.gqlbase_text_order FROM "db_1"."artists" r4 WHERE r4.id = r2."artist") ASC NULLS LAST, r2."title" COLLATE public.gqlbase_text_order ASC NULLS LAST, r2.id ASC), '[]'::json) FROM (SELECT r2.* FROM "db_1"."albums" r2 WHERE r2."artist" = r1.id ORDER BY (SELECT r3."name" COLLATE public.gqlbase_text_order FROM "db_1"."artists" r3 WHERE r3.id = r2."artist") ASC NULLS LAST, r2."title" COLLATE public.gqlbase_text_order ASC NULLS LAST, r2.id ASC LIMIT 5) r2)) ORDER BY r1."born" DESC NULLS FIRST, r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."artists" r1 WHERE TRUE ORDER BY r1."born" DESC NULLS FIRST, r1.id ASC LIMIT 5) r1;
