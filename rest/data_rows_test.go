package rest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

const rowFields = `id version createdAt updatedAt createdBy data`

// allTypesTable creates a table with one column of every type (the LINK column links the
// table to itself).
func (e *dataEnv) allTypesTable(t testing.TB, name string) (string, map[string]string) {
	t.Helper()
	opts := []any{map[string]any{"value": "a"}, map[string]any{"value": "b"}}
	return e.createTable(t, name,
		colDef{"name": "t", "type": "TEXT"},
		colDef{"name": "lt", "type": "LONG_TEXT"},
		colDef{"name": "i", "type": "INTEGER"},
		colDef{"name": "n", "type": "NUMBER"},
		colDef{"name": "d", "type": "DECIMAL"},
		colDef{"name": "b", "type": "BOOLEAN"},
		colDef{"name": "day", "type": "DATE"},
		colDef{"name": "at", "type": "DATETIME"},
		colDef{"name": "email", "type": "EMAIL"},
		colDef{"name": "url", "type": "URL"},
		colDef{"name": "phone", "type": "PHONE"},
		colDef{"name": "j", "type": "JSON"},
		colDef{"name": "s", "type": "SELECT", "options": opts},
		colDef{"name": "ms", "type": "MULTI_SELECT", "options": opts},
		colDef{"name": "u", "type": "UUID"},
		colDef{"name": "link", "type": "LINK"},
		colDef{"name": "f", "type": "FILE"},
		colDef{"name": "r", "type": "RATING"},
	)
}

func TestRowValuesOfEveryType(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.allTypesTable(t, "everything")
	first := e.insert(t, tid, map[string]any{"t": "x"})
	values := map[string]any{
		"t": "héllo", "lt": strings.Repeat("long ", 3000), "i": "42", "n": 1.5, "d": "12.50", "b": true,
		"day": "2026-02-28", "at": "2026-01-02T03:04:05.123456+02:00", "email": "ann@example.com",
		"url": "https://example.com/a?b=c", "phone": "+1 (555) 010-9999", "j": map[string]any{"k": []any{1, "two", nil}},
		"s": "b", "ms": []any{"b", "a", "b"}, "u": "0E8F5C1E-5B6A-4C3D-9E2F-1A2B3C4D5E6F", "link": first[0], "f": []any{3, 1},
		"r": 5,
	}
	data := e.ok(t, `mutation($t: ID!, $v: JSONObject!) { insertRow(table: $t, values: $v) { `+rowFields+` } }`, map[string]any{"t": tid, "v": values})
	row := testserver.Get(data, "insertRow")
	got := testserver.Get(row, "data").(map[string]any)
	want := map[string]string{
		"t": `"héllo"`, "i": `42`, "n": `1.5`, "d": `12.50`, "b": `true`, "day": `"2026-02-28"`,
		"at": `"2026-01-02T01:04:05.123456+00:00"`, "email": `"ann@example.com"`, "url": `"https://example.com/a?b=c"`,
		"phone": `"+1 (555) 010-9999"`, "j": `{"k":[1,"two",null]}`, "s": `"b"`, "ms": `["b","a"]`,
		"u": `"0e8f5c1e-5b6a-4c3d-9e2f-1a2b3c4d5e6f"`, "link": first[0], "f": `[3,1]`, "r": `5`,
	}
	for k, w := range want {
		if g := asJSON(got[k]); g != w {
			t.Errorf("%s: stored %s, want %s", k, g, w)
		}
	}
	if got["lt"] != values["lt"] {
		t.Errorf("long text did not round-trip")
	}
	if len(got) != 18 {
		t.Errorf("data has %d keys, want 18: %s", len(got), asJSON(got))
	}
	if testserver.Str(row, "version") != "1" || !strings.HasPrefix(testserver.Str(row, "createdBy"), "token:") {
		t.Errorf("system fields: %s", asJSON(row))
	}
	created, err := time.Parse(time.RFC3339, testserver.Str(row, "createdAt"))
	if err != nil || time.Since(created) > time.Hour || testserver.Str(row, "createdAt") != testserver.Str(row, "updatedAt") {
		t.Errorf("createdAt %s updatedAt %s", testserver.Str(row, "createdAt"), testserver.Str(row, "updatedAt"))
	}
	// the same values read back by id, as a list and by value(column)
	id := testserver.Str(row, "id")
	if again := e.rowData(t, tid, id); asJSON(again) != asJSON(got) {
		t.Errorf("row(id) reads %s, insert answered %s", asJSON(again), asJSON(got))
	}
	v := e.ok(t, `query($t: ID!, $id: ID!) { row(table: $t, id: $id) { value(column: "d") } }`, map[string]any{"t": tid, "id": id})
	if asJSON(testserver.Get(v, "row", "value")) != "12.50" {
		t.Errorf("value(d) = %s", asJSON(testserver.Get(v, "row", "value")))
	}
	// nulls everywhere
	nulls := map[string]any{}
	for k := range values {
		nulls[k] = nil
	}
	data = e.ok(t, `mutation($t: ID!, $v: JSONObject!) { insertRow(table: $t, values: $v) { data } }`, map[string]any{"t": tid, "v": nulls})
	for k, v := range testserver.Get(data, "insertRow", "data").(map[string]any) {
		if v != nil {
			t.Errorf("%s: %v, want null", k, v)
		}
	}
}

// wrongValues has, for each column of allTypesTable, a value that column refuses and a part of
// the reason.
var wrongValues = []struct {
	column string
	value  any
	reason string
}{
	{"t", 5, "not a string"},
	{"lt", true, "not a string"},
	{"i", "abc", "not an integer"},
	{"i", 1.5, "not an integer"},
	{"n", "abc", "not a number"},
	{"d", "1.2.3", "not a decimal"},
	{"b", "yes", "not a boolean"},
	{"day", "2026-02-30", "not a date"},
	{"at", "tomorrow", "not a date-time"},
	{"email", "nobody", "not an email"},
	{"url", "javascript:alert(1)", "refused"},
	{"phone", "call me", "not a phone"},
	{"j", "nul \u0000 inside", "NUL"},
	{"s", "c", "not one of the options"},
	{"ms", []any{"a", "c"}, "not one of the options"},
	{"u", "not-a-uuid", "not a UUID"},
	{"link", 0, "not a row id"},
	{"link", "abc", "not a row id"},
	{"f", []any{"x"}, "not a file id"},
	{"r", 6, "not a rating from 0 to 5"},
}

func TestRowValueRefusedForEveryType(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.allTypesTable(t, "everything")
	existing := e.insert(t, tid, map[string]any{"t": "keep", "i": 1})
	for _, w := range wrongValues {
		t.Run(fmt.Sprintf("%s=%v", w.column, w.value), func(t *testing.T) {
			// one row
			err := e.refuseAdmin(t, `mutation($t: ID!, $v: JSONObject!) { insertRow(table: $t, values: $v) { id } }`,
				map[string]any{"t": tid, "v": map[string]any{"t": "fine", w.column: w.value}}, "BAD_USER_INPUT")
			wantMessage(t, err, `"`+w.column+`"`, w.reason)
			if err.Extensions["field"] != w.column {
				t.Errorf("field %v, want %s", err.Extensions["field"], w.column)
			}
			// a batch: the error names the row; no row is written
			rows := []any{map[string]any{"t": "ok0"}, map[string]any{"t": "ok1"}, map[string]any{"t": "bad", w.column: w.value}}
			err = e.refuseAdmin(t, `mutation($t: ID!, $rows: [JSON!]!) { insertRows(table: $t, rows: $rows) { id } }`,
				map[string]any{"t": tid, "rows": rows}, "BAD_USER_INPUT")
			wantMessage(t, err, "row 2", `"`+w.column+`"`, w.reason)
			if fmt.Sprint(err.Extensions["row"]) != "2" {
				t.Errorf("extensions.row = %v, want 2", err.Extensions["row"])
			}
			// an update
			err = e.refuseAdmin(t, `mutation($t: ID!, $id: ID!, $v: JSON!) { updateRow(table: $t, id: $id, values: $v) { id } }`,
				map[string]any{"t": tid, "id": existing[0], "v": map[string]any{w.column: w.value}}, "BAD_USER_INPUT")
			wantMessage(t, err, `"`+w.column+`"`, w.reason)
			err = e.refuseAdmin(t, `mutation($t: ID!, $v: JSONObject!) { updateRows(table: $t, where: {and: []}, values: $v) { id } }`,
				map[string]any{"t": tid, "v": map[string]any{w.column: w.value}}, "BAD_USER_INPUT")
			wantMessage(t, err, `"`+w.column+`"`, w.reason)
			// an upsert
			err = e.refuseAdmin(t, `mutation($t: ID!, $rows: [JSON!]!) { upsertRows(table: $t, rows: $rows, keyColumn: "id") { inserted { id } } }`,
				map[string]any{"t": tid, "rows": []any{map[string]any{"id": existing[0], "t": "x"}, map[string]any{w.column: w.value}}}, "BAD_USER_INPUT")
			wantMessage(t, err, "row 1", `"`+w.column+`"`, w.reason)
		})
	}
}

func TestRowWritesRefused(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	other, _ := e.createTable(t, "other")
	tid, _ := e.createTable(t, "items",
		colDef{"name": "code", "type": "TEXT", "unique": true},
		colDef{"name": "name", "type": "TEXT", "nullable": false, "default": "unnamed"},
		colDef{"name": "owner", "type": "LINK", "linkTable": other},
	)
	o := e.insert(t, other, map[string]any{})
	ids := e.insert(t, tid, map[string]any{"code": "A", "owner": o[0]})
	const insertRow = `mutation($t: ID!, $v: JSONObject!) { insertRow(table: $t, values: $v) { id } }`
	const insertRows = `mutation($t: ID!, $rows: [JSON!]!) { insertRows(table: $t, rows: $rows) { id } }`

	// unknown table (and a table id that does not exist at all)
	e.refuseAdmin(t, insertRow, map[string]any{"t": "999999", "v": map[string]any{}}, "NOT_FOUND")
	e.refuseAdmin(t, `mutation { updateRow(table: "999999", id: "1", values: {}) { id } }`, nil, "NOT_FOUND")
	e.refuseAdmin(t, `mutation { deleteRow(table: "999999", id: "1") }`, nil, "NOT_FOUND")
	e.refuseAdmin(t, `{ row(table: "999999", id: "1") { id } }`, nil, "NOT_FOUND")
	e.refuseAdmin(t, `{ rows(table: "999999") { nodes { id } } }`, nil, "NOT_FOUND")

	// unknown and system columns in values
	err := e.refuseAdmin(t, insertRow, map[string]any{"t": tid, "v": map[string]any{"code": "B", "nope": 1}}, "BAD_USER_INPUT")
	wantMessage(t, err, `"nope"`)
	if err.Extensions["field"] != "nope" {
		t.Errorf("field %v", err.Extensions["field"])
	}
	err = e.refuseAdmin(t, insertRows, map[string]any{"t": tid, "rows": []any{map[string]any{"code": "B"}, map[string]any{"nope": 1}}}, "BAD_USER_INPUT")
	wantMessage(t, err, "row 1", `"nope"`)
	err = e.refuseAdmin(t, insertRow, map[string]any{"t": tid, "v": map[string]any{"version": 7}}, "BAD_USER_INPUT")
	wantMessage(t, err, `"version"`, "system")
	err = e.refuseAdmin(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {nope: 1}) { id } }`, map[string]any{"t": tid, "id": ids[0]}, "BAD_USER_INPUT")
	wantMessage(t, err, `"nope"`)
	e.refuseAdmin(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: [1]) { id } }`, map[string]any{"t": tid, "id": ids[0]}, "BAD_USER_INPUT")
	e.refuseAdmin(t, insertRows, map[string]any{"t": tid, "rows": []any{map[string]any{"code": "B"}, "not an object"}}, "BAD_USER_INPUT")
	e.refuseAdmin(t, insertRows, map[string]any{"t": tid, "rows": []any{}}, "BAD_USER_INPUT")
	// null for a required column
	err = e.refuseAdmin(t, insertRow, map[string]any{"t": tid, "v": map[string]any{"name": nil}}, "BAD_USER_INPUT")
	wantMessage(t, err, `"name"`, "null")

	// 1,001 rows: refused whole
	big := make([]any, 1001)
	for i := range big {
		big[i] = map[string]any{"code": fmt.Sprintf("c%d", i)}
	}
	err = e.refuseAdmin(t, insertRows, map[string]any{"t": tid, "rows": big}, "BAD_USER_INPUT")
	wantMessage(t, err, "1001", "1000")
	e.refuseAdmin(t, `mutation($t: ID!, $rows: [JSON!]!) { upsertRows(table: $t, rows: $rows, keyColumn: "code") { inserted { id } } }`, map[string]any{"t": tid, "rows": big}, "BAD_USER_INPUT")
	manyIDs := make([]string, 1001)
	for i := range manyIDs {
		manyIDs[i] = fmt.Sprint(i + 1)
	}
	e.refuseAdmin(t, `mutation($t: ID!, $ids: [ID!]) { deleteRows(table: $t, ids: $ids) { count } }`, map[string]any{"t": tid, "ids": manyIDs}, "BAD_USER_INPUT")
	e.refuseAdmin(t, `mutation($t: ID!, $ids: [ID!]) { updateRows(table: $t, ids: $ids, values: {name: "x"}) { id } }`, map[string]any{"t": tid, "ids": manyIDs}, "BAD_USER_INPUT")
	// exactly 1,000 is fine
	thousand := make([]map[string]any, 1000)
	for i := range thousand {
		thousand[i] = map[string]any{}
	}
	if got := e.insert(t, other, thousand...); len(got) != 1000 {
		t.Errorf("inserted %d of 1000 rows", len(got))
	}

	// a duplicate unique value in the last row of a batch of 3: no row is written
	dupExisting := []any{map[string]any{"code": "X1"}, map[string]any{"code": "X2"}, map[string]any{"code": "A"}}
	err = e.refuseAdmin(t, insertRows, map[string]any{"t": tid, "rows": dupExisting}, "CONFLICT")
	wantMessage(t, err, `"code"`, "row 2")
	dupInBatch := []any{map[string]any{"code": "Y1"}, map[string]any{"code": "Y2"}, map[string]any{"code": "Y1"}}
	err = e.refuseAdmin(t, insertRows, map[string]any{"t": tid, "rows": dupInBatch}, "CONFLICT")
	wantMessage(t, err, `"code"`, "row 2")
	second := e.insert(t, tid, map[string]any{"code": "B"})
	err = e.refuseAdmin(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {code: "A"}) { id } }`, map[string]any{"t": tid, "id": second[0]}, "CONFLICT")
	wantMessage(t, err, `"code"`)
	e.refuseAdmin(t, `mutation($t: ID!) { updateRows(table: $t, where: {and: []}, values: {code: "Z"}) { id } }`, map[string]any{"t": tid}, "CONFLICT")

	// a LINK to a row that does not exist
	err = e.refuseAdmin(t, insertRows, map[string]any{"t": tid, "rows": []any{map[string]any{"code": "L1", "owner": o[0]}, map[string]any{"code": "L2", "owner": 987654}}}, "BAD_USER_INPUT")
	wantMessage(t, err, `"owner"`, "row 1", "does not exist")
	err = e.refuseAdmin(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {owner: 987654}) { id } }`, map[string]any{"t": tid, "id": ids[0]}, "BAD_USER_INPUT")
	wantMessage(t, err, `"owner"`, "does not exist")

	// a stale version
	e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {name: "n2"}, expectedVersion: 1) { id } }`, map[string]any{"t": tid, "id": ids[0]})
	err = e.refuseAdmin(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {name: "n3"}, expectedVersion: 1) { id } }`, map[string]any{"t": tid, "id": ids[0]}, "CONFLICT")
	wantMessage(t, err, "version 2", "not 1")
	if fmt.Sprint(err.Extensions["currentVersion"]) != "2" {
		t.Errorf("currentVersion %v", err.Extensions["currentVersion"])
	}

	// rows that do not exist
	e.refuseAdmin(t, `mutation($t: ID!) { updateRow(table: $t, id: "999999", values: {name: "x"}) { id } }`, map[string]any{"t": tid}, "NOT_FOUND")
	e.refuseAdmin(t, `mutation($t: ID!, $ids: [ID!]) { updateRows(table: $t, ids: $ids, values: {name: "x"}) { id } }`, map[string]any{"t": tid, "ids": []string{ids[0], "999999"}}, "NOT_FOUND")
	e.refuseAdmin(t, `mutation($t: ID!) { deleteRow(table: $t, id: "999999") }`, map[string]any{"t": tid}, "NOT_FOUND")
	e.refuseAdmin(t, `query($t: ID!) { row(table: $t, id: "999999") { id } }`, map[string]any{"t": tid}, "NOT_FOUND")
	e.refuseAdmin(t, `mutation($t: ID!) { restoreRow(table: $t, id: "999999") { id } }`, map[string]any{"t": tid}, "NOT_FOUND")
	// choosing no rows at all is refused rather than meaning "every row"
	e.refuseAdmin(t, `mutation($t: ID!) { updateRows(table: $t, values: {name: "x"}) { id } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	e.refuseAdmin(t, `mutation($t: ID!) { deleteRows(table: $t) { count } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	// upsert on a column that cannot identify rows (a system column other than id)
	e.refuseAdmin(t, `mutation($t: ID!) { upsertRows(table: $t, rows: [{name: "x"}], keyColumn: "created_at") { inserted { id } } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	e.refuseAdmin(t, `mutation($t: ID!) { upsertRows(table: $t, rows: [{name: "x"}], keyColumn: "nope") { inserted { id } } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
	e.refuseAdmin(t, `mutation($t: ID!) { upsertRows(table: $t, rows: [{code: "Q"}, {code: "Q"}], keyColumn: "code") { inserted { id } } }`, map[string]any{"t": tid}, "BAD_USER_INPUT")
}

func TestRowWrites(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.createTable(t, "people",
		colDef{"name": "email", "type": "EMAIL", "unique": true},
		colDef{"name": "name", "type": "TEXT"},
		colDef{"name": "age", "type": "INTEGER"},
		colDef{"name": "team", "type": "TEXT", "default": "none"},
	)
	// insert many: ids ascending, rows back in input order, defaults filled
	data := e.ok(t, `mutation($t: ID!) { insertRows(table: $t, rows: [
		{email: "c@x.io", name: "Cy", age: 30}, {email: "a@x.io", name: "Ann", age: 20}, {email: "b@x.io", name: "Bob", team: "red"}]) { id version data } }`, map[string]any{"t": tid})
	rows := testserver.Get(data, "insertRows").([]any)
	ids := idsOf(rows)
	if parseID(t, ids[0]) >= parseID(t, ids[1]) || parseID(t, ids[1]) >= parseID(t, ids[2]) {
		t.Errorf("ids %v not ascending in input order", ids)
	}
	if got := asJSON(testserver.Get(rows[0], "data")); got != `{"age":30,"email":"c@x.io","name":"Cy","team":"none"}` {
		t.Errorf("first row %s", got)
	}
	if got := asJSON(testserver.Get(rows[2], "data")); got != `{"age":null,"email":"b@x.io","name":"Bob","team":"red"}` {
		t.Errorf("third row %s", got)
	}

	// update one, partially: the other columns stay; version and updatedAt move
	before := e.ok(t, `query($t: ID!, $id: ID!) { row(table: $t, id: $id) { `+rowFields+` } }`, map[string]any{"t": tid, "id": ids[0]})
	upd := e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {age: 31}, expectedVersion: 1) { `+rowFields+` } }`, map[string]any{"t": tid, "id": ids[0]})
	if got := asJSON(testserver.Get(upd, "updateRow", "data")); got != `{"age":31,"email":"c@x.io","name":"Cy","team":"none"}` {
		t.Errorf("after a partial update: %s", got)
	}
	if testserver.Str(upd, "updateRow", "version") != "2" || testserver.Str(upd, "updateRow", "createdAt") != testserver.Str(before, "row", "createdAt") ||
		testserver.Str(upd, "updateRow", "updatedAt") <= testserver.Str(before, "row", "updatedAt") {
		t.Errorf("system fields after update: before %s after %s", asJSON(before), asJSON(upd))
	}
	// an empty patch still counts as a change
	if v := testserver.Str(e.ok(t, `mutation($t: ID!, $id: ID!) { updateRow(table: $t, id: $id, values: {}) { version } }`, map[string]any{"t": tid, "id": ids[0]}), "updateRow", "version"); v != "3" {
		t.Errorf("version after an empty update %s", v)
	}

	// update many by ids, by filter, by both
	many := e.ok(t, `mutation($t: ID!, $ids: [ID!]) { updateRows(table: $t, ids: $ids, values: {team: "blue"}) { id data } }`, map[string]any{"t": tid, "ids": []string{ids[2], ids[1]}})
	if got := idsOf(testserver.Get(many, "updateRows")); strings.Join(got, ",") != ids[2]+","+ids[1] {
		t.Errorf("updateRows by ids returned %v", got)
	}
	byFilter := e.ok(t, `mutation($t: ID!) { updateRows(table: $t, where: {column: "age", op: gte, value: 21}, values: {name: "Older"}) { id } }`, map[string]any{"t": tid})
	if got := idsOf(testserver.Get(byFilter, "updateRows")); strings.Join(got, ",") != ids[0] {
		t.Errorf("updateRows by filter changed %v", got)
	}
	both := e.ok(t, `mutation($t: ID!, $ids: [ID!]) { updateRows(table: $t, ids: $ids, where: {column: "team", op: eq, value: "blue"}, values: {age: 1}) { id } }`,
		map[string]any{"t": tid, "ids": []string{ids[0], ids[1]}})
	if got := idsOf(testserver.Get(both, "updateRows")); strings.Join(got, ",") != ids[1] {
		t.Errorf("updateRows by ids and filter changed %v", got)
	}
	none := e.ok(t, `mutation($t: ID!) { updateRows(table: $t, where: {column: "age", op: gt, value: 1000}, values: {age: 1}) { id } }`, map[string]any{"t": tid})
	if got := testserver.Get(none, "updateRows").([]any); len(got) != 0 {
		t.Errorf("a filter matching nothing updated %v", got)
	}
	list := e.ok(t, `query($t: ID!) { rows(table: $t, orderBy: [{column: "id"}]) { nodes { version data } } }`, map[string]any{"t": tid})
	want := `[{"data":{"age":31,"email":"c@x.io","name":"Older","team":"none"},"version":4},` +
		`{"data":{"age":1,"email":"a@x.io","name":"Ann","team":"blue"},"version":3},` +
		`{"data":{"age":null,"email":"b@x.io","name":"Bob","team":"blue"},"version":2}]`
	if got := asJSON(testserver.Get(list, "rows", "nodes")); got != want {
		t.Errorf("after the updates\n got %s\nwant %s", got, want)
	}

	// upsert on a unique column: one insert, one update
	up := e.ok(t, `mutation($t: ID!) { upsertRows(table: $t, keyColumn: "email", rows: [{email: "new@x.io", name: "New"}, {email: "a@x.io", age: 99}]) {
		inserted { data } updated { id version data } } }`, map[string]any{"t": tid})
	if got := asJSON(testserver.Get(up, "upsertRows")); got != `{"inserted":[{"data":{"age":null,"email":"new@x.io","name":"New","team":"none"}}],`+
		`"updated":[{"data":{"age":99,"email":"a@x.io","name":"Ann","team":"blue"},"id":"`+ids[1]+`","version":4}]}` {
		t.Errorf("upsert: %s", got)
	}
	up = e.ok(t, `mutation($t: ID!, $id: JSON!) { upsertRows(table: $t, keyColumn: "id", rows: [{id: $id, name: "Bobby"}, {email: "z@x.io"}]) { inserted { id } updated { id data } } }`,
		map[string]any{"t": tid, "id": ids[2]})
	if testserver.Str(up, "upsertRows", "updated", 0, "id") != ids[2] || testserver.Str(up, "upsertRows", "updated", 0, "data", "name") != "Bobby" ||
		len(testserver.Get(up, "upsertRows", "inserted").([]any)) != 1 {
		t.Errorf("upsert on id: %s", asJSON(up))
	}

	// delete one, many by ids, many by filter
	e.ok(t, `mutation($t: ID!, $id: ID!) { deleteRow(table: $t, id: $id) }`, map[string]any{"t": tid, "id": ids[0]})
	e.refuseAdmin(t, `query($t: ID!, $id: ID!) { row(table: $t, id: $id) { id } }`, map[string]any{"t": tid, "id": ids[0]}, "NOT_FOUND")
	del := e.ok(t, `mutation($t: ID!, $ids: [ID!]) { deleteRows(table: $t, ids: $ids) { count ids } }`, map[string]any{"t": tid, "ids": []string{ids[1], ids[0], "999999"}})
	if got := asJSON(testserver.Get(del, "deleteRows")); got != `{"count":1,"ids":["`+ids[1]+`"]}` {
		t.Errorf("deleteRows by ids: %s", got)
	}
	del = e.ok(t, `mutation($t: ID!) { deleteRows(table: $t, where: {column: "name", op: starts_with, value: "Bo"}) { count ids } }`, map[string]any{"t": tid})
	if got := asJSON(testserver.Get(del, "deleteRows")); got != `{"count":1,"ids":["`+ids[2]+`"]}` {
		t.Errorf("deleteRows by filter: %s", got)
	}
	left := e.ok(t, `query($t: ID!) { rows(table: $t, orderBy: [{column: "email"}]) { nodes { data } } }`, map[string]any{"t": tid})
	var emails []string
	for _, n := range testserver.Get(left, "rows", "nodes").([]any) {
		emails = append(emails, testserver.Str(n, "data", "email"))
	}
	if strings.Join(emails, ",") != "new@x.io,z@x.io" {
		t.Errorf("rows left: %v", emails)
	}
}

func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	e := newDataEnv(t)
	tid, _ := e.createTable(t, "counters", colDef{"name": "code", "type": "TEXT", "unique": true}, colDef{"name": "n", "type": "INTEGER"})
	id := e.insert(t, tid, map[string]any{"code": "x", "n": 0})[0]
	const workers = 8
	codes := make(chan string, 3*workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(3)
		// updates that all expect version 1: exactly one wins
		go func() {
			defer wg.Done()
			resp := e.srv.Platform(t, e.token, `mutation($t: ID!, $id: ID!, $n: JSON!) { updateRow(table: $t, id: $id, values: $n, expectedVersion: 1) { version } }`,
				map[string]any{"t": tid, "id": id, "n": map[string]any{"n": i + 1}})
			if len(resp.Errors) > 0 {
				codes <- "update " + resp.Errors[0].Code()
			} else {
				codes <- "update OK"
			}
		}()
		// inserts of the same unique value: exactly one wins
		go func() {
			defer wg.Done()
			resp := e.srv.Platform(t, e.token, `mutation($t: ID!) { insertRow(table: $t, values: {code: "same"}) { id } }`, map[string]any{"t": tid})
			if len(resp.Errors) > 0 {
				codes <- "insert " + resp.Errors[0].Code()
			} else {
				codes <- "insert OK"
			}
		}()
		// schema changes of one table serialise
		go func() {
			defer wg.Done()
			resp := e.srv.Platform(t, e.token, `mutation($t: ID!, $n: String!) { addColumn(table: $t, input: {name: $n, type: TEXT}) { id } }`,
				map[string]any{"t": tid, "n": fmt.Sprintf("c%d", i)})
			if len(resp.Errors) > 0 {
				codes <- "addColumn " + resp.Errors[0].Code() + " " + resp.Errors[0].Message
			} else {
				codes <- "addColumn OK"
			}
		}()
	}
	wg.Wait()
	close(codes)
	got := map[string]int{}
	for c := range codes {
		got[c]++
	}
	want := map[string]int{"update OK": 1, "update CONFLICT": workers - 1, "insert OK": 1, "insert CONFLICT": workers - 1, "addColumn OK": workers}
	if asJSON(got) != asJSON(want) {
		t.Errorf("outcomes %v, want %v", got, want)
	}
	data := e.ok(t, `query($t: ID!, $id: ID!) { row(table: $t, id: $id) { version } table(id: $t) { columns { name position } } }`, map[string]any{"t": tid, "id": id})
	if v := testserver.Str(data, "row", "version"); v != "2" {
		t.Errorf("version %s after one winning update", v)
	}
	for i, c := range testserver.Get(data, "table", "columns").([]any) {
		if testserver.Str(c, "position") != fmt.Sprint(i) {
			t.Errorf("columns after concurrent adds: %s", asJSON(testserver.Get(data, "table", "columns")))
			break
		}
	}
	if n := e.sqlInt(t, `SELECT count(*) FROM events WHERE kind = 'row.updated'`); n != 1 {
		t.Errorf("%d row.updated events", n)
	}
}
