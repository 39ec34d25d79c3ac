-- Written by TestGoldenSQL (go test ./storage/plan -run TestGoldenSQL -update); do not edit.

-- case: one row by id, with __typename
-- $1: int64 7
SELECT (SELECT json_build_object('__typename'::text, 'albums'::text, 'id'::text, r1."id"::text, 'price'::text, r1."price"::text, 'tags'::text, r1."tags") FROM "db_1"."albums" r1 WHERE r1.id = $1::bigint);

-- case: limit and offset
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1.id ASC LIMIT 10 OFFSET 20) r1;

-- case: a negative limit is zero
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1.id ASC LIMIT 0) r1;

-- case: ids bound a list without a limit
-- $1: *pq.Int64Array {3,1,2}
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE r1.id = ANY($1::bigint[]) ORDER BY r1.id ASC) r1;

-- case: ids with a limit, an offset and a where
-- $1: *pq.Int64Array {3,1,2}
-- $2: string "x"
SELECT coalesce(json_agg(json_build_object('id'::text, r1."id"::text) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE r1.id = ANY($1::bigint[]) AND (r1."title" IS DISTINCT FROM $2::text) ORDER BY r1.id ASC LIMIT 2 OFFSET 1) r1;

-- case: root aggregate over every row
SELECT json_build_object('count'::text, count(*), 'sum_ms'::text, sum(r1."ms"), 'avg_ms'::text, avg(r1."ms")::float8, 'min_id'::text, min(r1."id")::text, 'max_name'::text, max(r1."Track Name" COLLATE "C"), 'max_created'::text, max(r1."created_at")) FROM (SELECT r1.* FROM "db_1"."tracks" r1 WHERE TRUE ORDER BY r1.id ASC) r1 GROUP BY ();

-- case: root aggregate with where and limit, nodes of the bounded rows
-- $1: int64 0
SELECT json_build_object('count'::text, count(*), 'nodes'::text, coalesce(json_agg(json_build_object('id'::text, r1."id"::text, 'Track Name'::text, r1."Track Name") ORDER BY r1.id ASC), '[]'::json)) FROM (SELECT r1.* FROM "db_1"."tracks" r1 WHERE (r1."ms" > $1::bigint) ORDER BY r1.id ASC LIMIT 50) r1 GROUP BY ();

-- case: root aggregate with nodes of their own limit
SELECT json_build_object('count'::text, count(*), 'nodes'::text, (SELECT coalesce(json_agg(json_build_object('id'::text, r2."id"::text, 'Track Name'::text, r2."Track Name") ORDER BY r2.id ASC), '[]'::json) FROM (SELECT r2.* FROM "db_1"."tracks" r2 WHERE TRUE ORDER BY r2.id ASC LIMIT 5) r2)) FROM (SELECT r1.* FROM "db_1"."tracks" r1 WHERE TRUE ORDER BY r1.id ASC LIMIT 50) r1 GROUP BY ();

-- case: constants: JSON, arrays and empty objects
SELECT coalesce(json_agg(json_build_object('json'::text, '{"a": [1, "it''s"]}'::json, 'array'::text, json_build_array('x'::text, r1."title"), 'empty_array'::text, '[]'::json, 'empty'::text, '{}'::json) ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1.id ASC LIMIT 1) r1;

-- case: an object wider than one json_build_object call
SELECT coalesce(json_agg((left(json_build_object('k0'::text, '0'::text, 'k1'::text, '1'::text, 'k2'::text, '2'::text, 'k3'::text, '3'::text, 'k4'::text, '4'::text, 'k5'::text, '5'::text, 'k6'::text, '6'::text, 'k7'::text, '7'::text, 'k8'::text, '8'::text, 'k9'::text, '9'::text, 'k10'::text, '10'::text, 'k11'::text, '11'::text, 'k12'::text, '12'::text, 'k13'::text, '13'::text, 'k14'::text, '14'::text, 'k15'::text, '15'::text, 'k16'::text, '16'::text, 'k17'::text, '17'::text, 'k18'::text, '18'::text, 'k19'::text, '19'::text, 'k20'::text, '20'::text, 'k21'::text, '21'::text, 'k22'::text, '22'::text, 'k23'::text, '23'::text, 'k24'::text, '24'::text, 'k25'::text, '25'::text, 'k26'::text, '26'::text, 'k27'::text, '27'::text, 'k28'::text, '28'::text, 'k29'::text, '29'::text, 'k30'::text, '30'::text, 'k31'::text, '31'::text, 'k32'::text, '32'::text, 'k33'::text, '33'::text, 'k34'::text, '34'::text, 'k35'::text, '35'::text, 'k36'::text, '36'::text, 'k37'::text, '37'::text, 'k38'::text, '38'::text, 'k39'::text, '39'::text, 'k40'::text, '40'::text, 'k41'::text, '41'::text, 'k42'::text, '42'::text, 'k43'::text, '43'::text, 'k44'::text, '44'::text, 'k45'::text, '45'::text, 'k46'::text, '46'::text, 'k47'::text, '47'::text, 'k48'::text, '48'::text, 'k49'::text, '49'::text)::text, -1) || ', ' || substr(left(json_build_object('k50'::text, '50'::text, 'k51'::text, '51'::text, 'k52'::text, '52'::text, 'k53'::text, '53'::text, 'k54'::text, '54'::text, 'k55'::text, '55'::text, 'k56'::text, '56'::text, 'k57'::text, '57'::text, 'k58'::text, '58'::text, 'k59'::text, '59'::text, 'k60'::text, '60'::text, 'k61'::text, '61'::text, 'k62'::text, '62'::text, 'k63'::text, '63'::text, 'k64'::text, '64'::text, 'k65'::text, '65'::text, 'k66'::text, '66'::text, 'k67'::text, '67'::text, 'k68'::text, '68'::text, 'k69'::text, '69'::text, 'k70'::text, '70'::text, 'k71'::text, '71'::text, 'k72'::text, '72'::text, 'k73'::text, '73'::text, 'k74'::text, '74'::text, 'k75'::text, '75'::text, 'k76'::text, '76'::text, 'k77'::text, '77'::text, 'k78'::text, '78'::text, 'k79'::text, '79'::text, 'k80'::text, '80'::text, 'k81'::text, '81'::text, 'k82'::text, '82'::text, 'k83'::text, '83'::text, 'k84'::text, '84'::text, 'k85'::text, '85'::text, 'k86'::text, '86'::text, 'k87'::text, '87'::text, 'k88'::text, '88'::text, 'k89'::text, '89'::text, 'k90'::text, '90'::text, 'k91'::text, '91'::text, 'k92'::text, '92'::text, 'k93'::text, '93'::text, 'k94'::text, '94'::text, 'k95'::text, '95'::text, 'k96'::text, '96'::text, 'k97'::text, '97'::text, 'k98'::text, '98'::text, 'k99'::text, '99'::text)::text, -1), 2) || ', ' || substr(json_build_object('k100'::text, '100'::text, 'k101'::text, '101'::text, 'k102'::text, '102'::text, 'k103'::text, '103'::text, 'k104'::text, '104'::text, 'k105'::text, '105'::text, 'k106'::text, '106'::text, 'k107'::text, '107'::text, 'k108'::text, '108'::text, 'k109'::text, '109'::text, 'k110'::text, '110'::text, 'k111'::text, '111'::text, 'k112'::text, '112'::text, 'k113'::text, '113'::text, 'k114'::text, '114'::text, 'k115'::text, '115'::text, 'k116'::text, '116'::text, 'k117'::text, '117'::text, 'k118'::text, '118'::text, 'k119'::text, '119'::text)::text, 2))::json ORDER BY r1.id ASC), '[]'::json) FROM (SELECT r1.* FROM "db_1"."albums" r1 WHERE TRUE ORDER BY r1.id ASC LIMIT 1) r1;
