-- Written by TestGoldenSQL (go test ./storage/plan -run TestGoldenSQL -update); do not edit.

-- case: {"column":"Title","op":"eq","value":"apple"}
-- $1: string "apple"
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" = $1::text) ORDER BY t.id;

-- case: {"column":"Title","op":"eq","value":null}
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" IS NULL) ORDER BY t.id;

-- case: {"column":"Title","op":"neq","value":"apple"}
-- $1: string "apple"
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" IS DISTINCT FROM $1::text) ORDER BY t.id;

-- case: {"column":"Title","op":"neq","value":null}
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" IS NOT NULL) ORDER BY t.id;

-- case: {"column":"Title","op":"lt","value":"b"}
-- $1: string "b"
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" COLLATE "C" < $1::text) ORDER BY t.id;

-- case: {"column":"Title","op":"lte","value":"b"}
-- $1: string "b"
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" COLLATE "C" <= $1::text) ORDER BY t.id;

-- case: {"column":"Title","op":"gt","value":"b"}
-- $1: string "b"
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" COLLATE "C" > $1::text) ORDER BY t.id;

-- case: {"column":"Title","op":"gte","value":"b"}
-- $1: string "b"
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" COLLATE "C" >= $1::text) ORDER BY t.id;

-- case: {"column":"notes","op":"eq","value":"x"}
-- $1: string "x"
SELECT t.id FROM "db_1"."things" t WHERE (t."notes" = $1::text) ORDER BY t.id;

-- case: {"column":"email","op":"eq","value":"ann@example.com"}
-- $1: string "ann@example.com"
SELECT t.id FROM "db_1"."things" t WHERE (t."email" = $1::text) ORDER BY t.id;

-- case: {"column":"site","op":"eq","value":"https://example.com"}
-- $1: string "https://example.com"
SELECT t.id FROM "db_1"."things" t WHERE (t."site" = $1::text) ORDER BY t.id;

-- case: {"column":"phone","op":"eq","value":"+1 555 0100"}
-- $1: string "+1 555 0100"
SELECT t.id FROM "db_1"."things" t WHERE (t."phone" = $1::text) ORDER BY t.id;

-- case: {"column":"qty","op":"eq","value":5}
-- $1: int64 5
SELECT t.id FROM "db_1"."things" t WHERE (t."qty" = $1::bigint) ORDER BY t.id;

-- case: {"column":"qty","op":"gt","value":-3}
-- $1: int64 -3
SELECT t.id FROM "db_1"."things" t WHERE (t."qty" > $1::bigint) ORDER BY t.id;

-- case: {"column":"score","op":"lt","value":0.5}
-- $1: float64 0.5
SELECT t.id FROM "db_1"."things" t WHERE (t."score" < $1::float8) ORDER BY t.id;

-- case: {"column":"price","op":"gte","value":"0.10"}
-- $1: string "0.10"
SELECT t.id FROM "db_1"."things" t WHERE (t."price" >= $1::numeric) ORDER BY t.id;

-- case: {"column":"active","op":"eq","value":true}
-- $1: bool true
SELECT t.id FROM "db_1"."things" t WHERE (t."active" = $1::boolean) ORDER BY t.id;

-- case: {"column":"born","op":"lte","value":"2000-01-01"}
-- $1: string "2000-01-01"
SELECT t.id FROM "db_1"."things" t WHERE (t."born" <= $1::date) ORDER BY t.id;

-- case: {"column":"seen_at","op":"gt","value":"2026-01-02T03:04:05.5Z"}
-- $1: time.Time 2026-01-02T03:04:05.5Z
SELECT t.id FROM "db_1"."things" t WHERE (t."seen_at" > $1::timestamptz) ORDER BY t.id;

-- case: {"column":"uid","op":"eq","value":"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"}
-- $1: string "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
SELECT t.id FROM "db_1"."things" t WHERE (t."uid" = $1::uuid) ORDER BY t.id;

-- case: {"column":"meta","op":"eq","value":{"a":1}}
-- $1: string "{\"a\":1}"
SELECT t.id FROM "db_1"."things" t WHERE (nullif(t."meta", 'null'::jsonb) = $1::jsonb) ORDER BY t.id;

-- case: {"column":"meta","op":"neq","value":[1,"x"]}
-- $1: string "[1,\"x\"]"
SELECT t.id FROM "db_1"."things" t WHERE (nullif(t."meta", 'null'::jsonb) IS DISTINCT FROM $1::jsonb) ORDER BY t.id;

-- case: {"column":"color","op":"eq","value":"red"}
-- $1: string "red"
SELECT t.id FROM "db_1"."things" t WHERE (t."color" = $1::text) ORDER BY t.id;

-- case: {"column":"tags","op":"eq","value":["red","blue"]}
-- $1: *pq.StringArray {"red","blue"}
SELECT t.id FROM "db_1"."things" t WHERE (t."tags" = $1::text[]) ORDER BY t.id;

-- case: {"column":"owner","op":"eq","value":1}
-- $1: int64 1
SELECT t.id FROM "db_1"."things" t WHERE (t."owner" = $1::bigint) ORDER BY t.id;

-- case: {"column":"files","op":"eq","value":[1,2]}
-- $1: *pq.Int64Array {1,2}
SELECT t.id FROM "db_1"."things" t WHERE (t."files" = $1::bigint[]) ORDER BY t.id;

-- case: {"column":"stars","op":"gte","value":3}
-- $1: int64 3
SELECT t.id FROM "db_1"."things" t WHERE (t."stars" >= $1::bigint) ORDER BY t.id;

-- case: {"column":"id","op":"lt","value":10}
-- $1: int64 10
SELECT t.id FROM "db_1"."things" t WHERE (t."id" < $1::bigint) ORDER BY t.id;

-- case: {"column":"created_at","op":"gte","value":"2026-03-01T00:00:00Z"}
-- $1: time.Time 2026-03-01T00:00:00Z
SELECT t.id FROM "db_1"."things" t WHERE (t."created_at" >= $1::timestamptz) ORDER BY t.id;

-- case: {"column":"created_by","op":"eq","value":"ann"}
-- $1: string "ann"
SELECT t.id FROM "db_1"."things" t WHERE (t."created_by" = $1::text) ORDER BY t.id;

-- case: {"column":"Title","op":"in","value":["apple","Zebra"]}
-- $1: *pq.StringArray {"apple","Zebra"}
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" = ANY($1::text[])) ORDER BY t.id;

-- case: {"column":"Title","op":"in","value":[]}
-- $1: *pq.StringArray {}
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" = ANY($1::text[])) ORDER BY t.id;

-- case: {"column":"Title","op":"nin","value":["apple"]}
-- $1: *pq.StringArray {"apple"}
SELECT t.id FROM "db_1"."things" t WHERE (NOT coalesce(t."Title" = ANY($1::text[]), false)) ORDER BY t.id;

-- case: {"column":"qty","op":"in","value":[1,2,3]}
-- $1: *pq.Int64Array {1,2,3}
SELECT t.id FROM "db_1"."things" t WHERE (t."qty" = ANY($1::bigint[])) ORDER BY t.id;

-- case: {"column":"qty","op":"nin","value":[]}
-- $1: *pq.Int64Array {}
SELECT t.id FROM "db_1"."things" t WHERE (NOT coalesce(t."qty" = ANY($1::bigint[]), false)) ORDER BY t.id;

-- case: {"column":"score","op":"in","value":[0.5,1]}
-- $1: *pq.Float64Array {0.5,1}
SELECT t.id FROM "db_1"."things" t WHERE (t."score" = ANY($1::float8[])) ORDER BY t.id;

-- case: {"column":"price","op":"in","value":["0.1","2"]}
-- $1: *pq.StringArray {"0.1","2"}
SELECT t.id FROM "db_1"."things" t WHERE (t."price" = ANY($1::numeric[])) ORDER BY t.id;

-- case: {"column":"active","op":"in","value":[true]}
-- $1: *pq.BoolArray {t}
SELECT t.id FROM "db_1"."things" t WHERE (t."active" = ANY($1::boolean[])) ORDER BY t.id;

-- case: {"column":"born","op":"in","value":["2000-01-01","2024-02-29"]}
-- $1: *pq.StringArray {"2000-01-01","2024-02-29"}
SELECT t.id FROM "db_1"."things" t WHERE (t."born" = ANY($1::date[])) ORDER BY t.id;

-- case: {"column":"seen_at","op":"in","value":["2026-01-02T03:04:05Z","1970-01-01T00:00:00+01:00"]}
-- $1: *pq.StringArray {"2026-01-02T03:04:05Z","1969-12-31T23:00:00Z"}
SELECT t.id FROM "db_1"."things" t WHERE (t."seen_at" = ANY($1::timestamptz[])) ORDER BY t.id;

-- case: {"column":"uid","op":"nin","value":["00000000-0000-0000-0000-000000000000"]}
-- $1: *pq.StringArray {"00000000-0000-0000-0000-000000000000"}
SELECT t.id FROM "db_1"."things" t WHERE (NOT coalesce(t."uid" = ANY($1::uuid[]), false)) ORDER BY t.id;

-- case: {"column":"color","op":"in","value":["red","green"]}
-- $1: *pq.StringArray {"red","green"}
SELECT t.id FROM "db_1"."things" t WHERE (t."color" = ANY($1::text[])) ORDER BY t.id;

-- case: {"column":"owner","op":"in","value":[1,2]}
-- $1: *pq.Int64Array {1,2}
SELECT t.id FROM "db_1"."things" t WHERE (t."owner" = ANY($1::bigint[])) ORDER BY t.id;

-- case: {"column":"Title","op":"like","value":"a%"}
-- $1: string "a%"
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" COLLATE "C" LIKE $1::text) ORDER BY t.id;

-- case: {"column":"Title","op":"ilike","value":"APPLE%"}
-- $1: string "APPLE%"
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" COLLATE "C" ILIKE $1::text) ORDER BY t.id;

-- case: {"column":"Title","op":"starts_with","value":"app"}
-- $1: string "app"
SELECT t.id FROM "db_1"."things" t WHERE (starts_with(t."Title" COLLATE "C", $1::text)) ORDER BY t.id;

-- case: {"column":"Title","op":"contains","value":"PPL"}
-- $1: string "ppl"
SELECT t.id FROM "db_1"."things" t WHERE (strpos(lower(t."Title" COLLATE "C"), $1::text) > 0) ORDER BY t.id;

-- case: {"column":"email","op":"ilike","value":"%@EXAMPLE.com"}
-- $1: string "%@EXAMPLE.com"
SELECT t.id FROM "db_1"."things" t WHERE (t."email" COLLATE "C" ILIKE $1::text) ORDER BY t.id;

-- case: {"column":"tags","op":"contains","value":["red"]}
-- $1: *pq.StringArray {"red"}
SELECT t.id FROM "db_1"."things" t WHERE (t."tags" @> $1::text[]) ORDER BY t.id;

-- case: {"column":"files","op":"contains","value":[2]}
-- $1: *pq.Int64Array {2}
SELECT t.id FROM "db_1"."things" t WHERE (t."files" @> $1::bigint[]) ORDER BY t.id;

-- case: {"column":"meta","op":"contains","value":{"a":1}}
-- $1: string "{\"a\":1}"
SELECT t.id FROM "db_1"."things" t WHERE (nullif(t."meta", 'null'::jsonb) @> $1::jsonb) ORDER BY t.id;

-- case: {"column":"Title","op":"is_null","value":true}
SELECT t.id FROM "db_1"."things" t WHERE (t."Title" IS NULL) ORDER BY t.id;

-- case: {"column":"meta","op":"is_null","value":false}
SELECT t.id FROM "db_1"."things" t WHERE (nullif(t."meta", 'null'::jsonb) IS NOT NULL) ORDER BY t.id;

-- case: {"and":[{"column":"qty","op":"gt","value":1},{"column":"Title","op":"like","value":"a%"}]}
-- $1: int64 1
-- $2: string "a%"
SELECT t.id FROM "db_1"."things" t WHERE ((t."qty" > $1::bigint) AND (t."Title" COLLATE "C" LIKE $2::text)) ORDER BY t.id;

-- case: {"or":[{"column":"qty","op":"gt","value":1},{"column":"active","op":"eq","value":true}]}
-- $1: int64 1
-- $2: bool true
SELECT t.id FROM "db_1"."things" t WHERE ((t."qty" > $1::bigint) OR (t."active" = $2::boolean)) ORDER BY t.id;

-- case: {"and":[]}
SELECT t.id FROM "db_1"."things" t WHERE TRUE ORDER BY t.id;

-- case: {"or":[]}
SELECT t.id FROM "db_1"."things" t WHERE FALSE ORDER BY t.id;

-- case: {"not":{"column":"Title","op":"eq","value":"apple"}}
-- $1: string "apple"
SELECT t.id FROM "db_1"."things" t WHERE (NOT coalesce(t."Title" = $1::text, false)) ORDER BY t.id;

-- case: {"not":{"column":"Title","op":"lt","value":"b"}}
-- $1: string "b"
SELECT t.id FROM "db_1"."things" t WHERE (NOT coalesce(t."Title" COLLATE "C" < $1::text, false)) ORDER BY t.id;

-- case: {"not":{"column":"Title","op":"ilike","value":"a%"}}
-- $1: string "a%"
SELECT t.id FROM "db_1"."things" t WHERE (NOT coalesce(t."Title" COLLATE "C" ILIKE $1::text, false)) ORDER BY t.id;

-- case: {"not":{"column":"Title","op":"contains","value":"p"}}
-- $1: string "p"
SELECT t.id FROM "db_1"."things" t WHERE (NOT coalesce(strpos(lower(t."Title" COLLATE "C"), $1::text) > 0, false)) ORDER BY t.id;

-- case: {"not":{"column":"tags","op":"contains","value":["red"]}}
-- $1: *pq.StringArray {"red"}
SELECT t.id FROM "db_1"."things" t WHERE (NOT coalesce(t."tags" @> $1::text[], false)) ORDER BY t.id;

-- case: {"not":{"column":"Title","op":"in","value":["a","b"]}}
-- $1: *pq.StringArray {"a","b"}
SELECT t.id FROM "db_1"."things" t WHERE (NOT coalesce(t."Title" = ANY($1::text[]), false)) ORDER BY t.id;

-- case: {"not":{"column":"Title","op":"nin","value":["a"]}}
-- $1: *pq.StringArray {"a"}
SELECT t.id FROM "db_1"."things" t WHERE (NOT (NOT coalesce(t."Title" = ANY($1::text[]), false))) ORDER BY t.id;

-- case: {"not":{"column":"Title","op":"neq","value":"a"}}
-- $1: string "a"
SELECT t.id FROM "db_1"."things" t WHERE (NOT (t."Title" IS DISTINCT FROM $1::text)) ORDER BY t.id;

-- case: {"not":{"column":"Title","op":"is_null","value":true}}
SELECT t.id FROM "db_1"."things" t WHERE (NOT (t."Title" IS NULL)) ORDER BY t.id;

-- case: {"not":{"and":[{"column":"qty","op":"gt","value":1},{"or":[{"column":"score","op":"lt","value":2},{"column":"born","op":"eq","value":"2000-01-01"}]}]}}
-- $1: int64 1
-- $2: float64 2
-- $3: string "2000-01-01"
SELECT t.id FROM "db_1"."things" t WHERE (NOT (coalesce(t."qty" > $1::bigint, false) AND (coalesce(t."score" < $2::float8, false) OR coalesce(t."born" = $3::date, false)))) ORDER BY t.id;

-- case: {"not":{"not":{"column":"qty","op":"eq","value":1}}}
-- $1: int64 1
SELECT t.id FROM "db_1"."things" t WHERE (NOT (NOT coalesce(t."qty" = $1::bigint, false))) ORDER BY t.id;

-- case: {"and":[{"column":"qty","op":"lt","value":9}],"or":[{"column":"qty","op":"gt","value":1}],"not":{"column":"qty","op":"eq","value":5}}
-- $1: int64 9
-- $2: int64 1
-- $3: int64 5
SELECT t.id FROM "db_1"."things" t WHERE (((t."qty" < $1::bigint)) AND ((t."qty" > $2::bigint)) AND (NOT coalesce(t."qty" = $3::bigint, false))) ORDER BY t.id;

-- case: unqualified columns (alias "")
-- $1: string "it's"
-- $2: *pq.Int64Array {1}
SELECT id FROM "db_1"."things" WHERE (("Title" = $1::text) OR (NOT coalesce("qty" = ANY($2::bigint[]), false)));

-- case: a filter in a plan's where, with the parameters of the plan around it
-- $1: *pq.Int64Array {1,2}
-- $2: int64 1
-- $3: string "a"
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."things" r1 WHERE r1.id = ANY($1::bigint[]) AND ((r1."qty" > $2::bigint) AND (NOT (r1."Title" = $3::text))) ORDER BY r1.id ASC LIMIT 5) r1;
