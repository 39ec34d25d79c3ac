package botpress_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// client sends requests with token ("" for none) as bot ("" for no x-bot-id header).
func client(srv *testserver.Server, token, bot string) *apitest.Client {
	return apitest.New(srv.URL, token).WithHeader("x-bot-id", bot)
}

// bpError checks that an answer is a Botpress error of type typ in the envelope
// {id, code, type, message}.
func bpError(typ string) apitest.Check {
	return func(t testing.TB, r *apitest.Reply) {
		t.Helper()
		if r.Str("type") != typ {
			t.Fatalf("%s %s: type %q, want %s: %s", r.Method, r.Path, r.Str("type"), typ, r.Raw)
		}
		if !strings.HasPrefix(r.Str("id"), "err_") || r.Str("code") != fmt.Sprint(r.Status) || r.Str("message") == "" {
			t.Fatalf("%s %s: error envelope: %s", r.Method, r.Path, r.Raw)
		}
	}
}

// bpFail is a scenario's expectation of a Botpress error: status, type and a part of the
// message.
func bpFail(sc apitest.Scenario, status int, typ, message string) apitest.Scenario {
	sc.Status = status
	sc.JSON = map[string]any{"type": typ, "code": status}
	sc.Contains = append(sc.Contains, message)
	sc.Check = bpError(typ)
	return sc
}

// botState fingerprints the bot's tables (schemas, settings, timestamps) and itemsTable's
// rows, as the API shows them.
func botState(srv *testserver.Server) func(testing.TB) string {
	c := client(srv, srv.AdminToken, "bot")
	return func(t testing.TB) string {
		tables := c.Do(t, "GET", "/v1/tables", nil).Expect(t, 200)
		rows := c.Do(t, "POST", "/v1/tables/itemsTable/rows/find", map[string]any{"limit": 1000}).Expect(t, 200)
		return string(tables.Raw) + string(rows.Raw)
	}
}

func setup(t *testing.T) *testserver.Server {
	t.Helper()
	srv := testserver.Start(t)
	client(srv, srv.AdminToken, "bot").Do(t, "POST", "/v1/tables", map[string]any{"name": "itemsTable",
		"schema": map[string]any{"name": map[string]any{"type": "string"}, "n": map[string]any{"type": "number"}}}).OK(t)
	return srv
}

// TestBadBodies sends requests that must be refused as InvalidPayload (or PayloadTooLarge),
// each with the message that says what is wrong, and checks that none changed the bot's
// tables or rows.
func TestBadBodies(t *testing.T) {
	srv := setup(t)
	bot := client(srv, srv.AdminToken, "bot")
	bot.Do(t, "POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{map[string]any{"name": "a", "n": 1}, map[string]any{"name": "b", "n": 2}}}).OK(t)
	str := map[string]any{"a": map[string]any{"type": "string"}}
	bad := func(method, path string, body any, message string) apitest.Scenario {
		return bpFail(apitest.Scenario{Name: method + " " + path + ": " + message, Method: method, Path: path, Body: body},
			400, "InvalidPayload", message)
	}
	rows := make([]any, 1001)
	for i := range rows {
		rows[i] = map[string]any{"name": "x"}
	}
	apitest.Runner{Client: bot, State: botState(srv)}.Run(t,
		bad("POST", "/v1/tables", `{"name": "x", `, "not complete JSON"),
		bad("POST", "/v1/tables", `[1, 2]`, "the request body must be an object, not array"),
		bad("POST", "/v1/tables", map[string]any{"name": "aTable"}, `field \"schema\" is required`),
		bad("POST", "/v1/tables", map[string]any{"schema": str}, `field \"name\" is required`),
		bad("POST", "/v1/tables", map[string]any{"name": "aTable", "schema": map[string]any{"a": map[string]any{"type": "date"}}}, `column \"a\": type \"date\" is not one of string, number, boolean, object, array`),
		bad("POST", "/v1/tables", map[string]any{"name": "has space", "schema": str}, `table name \"has space\" must start with a letter or underscore`),
		bad("POST", "/v1/tables", map[string]any{"name": "bTable", "keyColumn": "nope", "schema": str}, `keyColumn \"nope\" is not a column of the schema`),
		bad("POST", "/v1/tables", map[string]any{"name": "cTable", "factor": 99, "schema": str}, "factor must be between 1 and 30"),
		bad("PUT", "/v1/tables/itemsTable", map[string]any{"schema": map[string]any{"n": map[string]any{"type": "rainbow"}}}, `column \"n\": type \"rainbow\" is not one of string`),
		bad("PUT", "/v1/tables/itemsTable", map[string]any{"factor": 0}, "factor can only grow, up to 30 (it is 1)"),
		bad("PUT", "/v1/tables/itemsTable/column", map[string]any{"name": "n", "newName": "has space"}, `column name \"has space\" must start with a letter or underscore`),
		bad("PUT", "/v1/tables/itemsTable/column", map[string]any{"name": "n", "newName": "id"}, `column name \"id\" is reserved`),
		bad("POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{}}, "give 1 to 1000 rows (got 0)"),
		bad("POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{map[string]any{"n": "not a number"}}}, `column \"n\": \"not a number\" is not a number`),
		bad("POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": "nope"}, `field \"rows\" must be an array, not string`),
		bad("POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": rows}, "give 1 to 1000 rows (got 1001)"),
		bad("PUT", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{map[string]any{"name": "no id"}}}, "rows[0]: id must be a row id"),
		bad("PUT", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{map[string]any{"id": 1, "n": 5}, map[string]any{"id": 2, "n": "x"}}}, `row 1: column \"n\": \"x\" is not a number`),
		bad("POST", "/v1/tables/itemsTable/rows/upsert", map[string]any{"rows": []any{map[string]any{"name": "x"}}, "keyColumn": "nope"}, `table \"itemsTable\" has no column \"nope\" to match rows on`),
		bad("POST", "/v1/tables/itemsTable/rows/find", map[string]any{"limit": 5000}, "limit must be between 0 and 1000"),
		bad("POST", "/v1/tables/itemsTable/rows/find", map[string]any{"offset": -1}, "offset must be between 0 and 1000000"),
		bad("POST", "/v1/tables/itemsTable/rows/find", map[string]any{"orderBy": "nope"}, `cannot order by \"nope\": table \"itemsTable\" has no such column`),
		bad("POST", "/v1/tables/itemsTable/rows/find", map[string]any{"orderDirection": "sideways"}, "orderDirection must be asc or desc"),
		bad("POST", "/v1/tables/itemsTable/rows/find", map[string]any{"filter": map[string]any{"nope": 1}}, `filter: unknown column \"nope\"`),
		bad("POST", "/v1/tables/itemsTable/rows/find", map[string]any{"filter": map[string]any{"name": map[string]any{"$regex": "(a|b)"}}}, `filter.name.$regex: $regex \"(a|b)\" uses \"(\", which gqlbase cannot run`),
		bad("POST", "/v1/tables/itemsTable/rows/find", map[string]any{"filter": map[string]any{"n": map[string]any{"$regex": "1"}}}, `filter: column \"n\", operator \"like\": the operator does not apply to NUMBER columns`),
		bad("POST", "/v1/tables/itemsTable/rows/find", map[string]any{"group": map[string]any{"n": "median"}}, `group.n: unknown operation \"median\"`),
		bad("POST", "/v1/tables/itemsTable/rows/find", map[string]any{"group": map[string]any{"n": 3}}, "group.n: give an operation or a list of operations"),
		bad("POST", "/v1/tables/itemsTable/rows/delete", map[string]any{}, "give exactly one of ids, filter and deleteAllRows"),
		bad("POST", "/v1/tables/itemsTable/rows/delete", map[string]any{"ids": []any{1}, "deleteAllRows": true}, "give exactly one of ids, filter and deleteAllRows"),
		bad("GET", "/v1/tables/itemsTable/row?id=abc", nil, "query parameter id must be an integer"),
		bad("GET", "/v1/tables/itemsTable/row?id=0", nil, "query parameter id must be a row id"),
		bad("GET", "/v1/tables/itemsTable/row", nil, "query parameter id is required"),
		// A body over the size limit.
		bpFail(apitest.Scenario{Method: "POST", Path: "/v1/tables/itemsTable/rows",
			Body: `{"rows":[{"name":"` + strings.Repeat("x", 33<<20) + `"}]}`}, 413, "PayloadTooLarge", "larger than 33554432 bytes"),
		// No bot id.
		bpFail(apitest.Scenario{Name: "no bot id", Client: client(srv, srv.AdminToken, ""), Method: "POST", Path: "/v1/tables",
			Body: map[string]any{"name": "dTable", "schema": str}}, 400, "InvalidPayload", "the x-bot-id header is required"),
	)
}

// TestUnknownTables: every route of a table that does not exist (or lives in another bot)
// answers ResourceNotFound naming it, and changes nothing.
func TestUnknownTables(t *testing.T) {
	srv := setup(t)
	tok := srv.AdminToken
	body := map[string]any{"rows": []any{map[string]any{"id": 1, "name": "x"}}, "name": "n", "newName": "m"}
	missing := func(method, path, message string) apitest.Scenario {
		return bpFail(apitest.Scenario{Method: method, Path: path, Body: body}, 404, "ResourceNotFound", message)
	}
	nope := `table \"nopeTable\" not found`
	rn := apitest.Runner{Client: client(srv, tok, "bot"), State: botState(srv)}
	rn.Run(t,
		missing("GET", "/v1/tables/nopeTable", nope), missing("PUT", "/v1/tables/nopeTable", nope),
		missing("DELETE", "/v1/tables/nopeTable", nope), missing("POST", "/v1/tables/nopeTable/duplicate", nope),
		missing("PUT", "/v1/tables/nopeTable/column", nope), missing("GET", "/v1/tables/nopeTable/row?id=1", nope),
		missing("POST", "/v1/tables/nopeTable/rows/find", nope), missing("POST", "/v1/tables/nopeTable/rows", nope),
		missing("PUT", "/v1/tables/nopeTable/rows", nope), missing("POST", "/v1/tables/nopeTable/rows/upsert", nope),
		missing("POST", "/v1/tables/nopeTable/rows/delete", nope), missing("GET", "/v1/tables/999999", `table \"999999\" not found`),
		// A bot without a database has no tables (listing them is no error); another bot's
		// table is not found either.
		apitest.Scenario{Name: "tables of a new bot", Client: client(srv, tok, "fresh-bot"), Method: "GET", Path: "/v1/tables",
			Status: 200, JSON: map[string]any{"tables": []any{}}},
		bpFail(apitest.Scenario{Name: "a new bot's table", Client: client(srv, tok, "fresh-bot"), Method: "GET", Path: "/v1/tables/itemsTable"},
			404, "ResourceNotFound", `table \"itemsTable\" not found`),
		bpFail(apitest.Scenario{Name: "another bot's table", Client: client(srv, tok, "other-bot"), Method: "GET", Path: "/v1/tables/itemsTable"},
			404, "ResourceNotFound", `table \"itemsTable\" not found`),
		// A missing column in a rename; a missing row in an update.
		bpFail(apitest.Scenario{Method: "PUT", Path: "/v1/tables/itemsTable/column", Body: map[string]any{"name": "nope", "newName": "x"}},
			404, "ResourceNotFound", `table \"itemsTable\" has no column \"nope\"`),
		bpFail(apitest.Scenario{Method: "PUT", Path: "/v1/tables/itemsTable/rows", Body: map[string]any{"rows": []any{map[string]any{"id": 424242, "n": 1}}}},
			404, "ResourceNotFound", `row 424242 not found in table \"itemsTable\"`),
	)
}

func TestTokensAndScopes(t *testing.T) {
	srv := setup(t)
	client(srv, "", "bot").Do(t, "GET", "/v1/tables", nil).Expect(t, 401, bpError("Unauthorized"))
	client(srv, "gqb_invalid", "bot").Do(t, "GET", "/v1/tables", nil).Expect(t, 401, bpError("Unauthorized"))
	reader := createToken(t, srv, "READ")
	writer := createToken(t, srv, "READ", "WRITE")
	client(srv, reader, "bot").Do(t, "POST", "/v1/tables/itemsTable/rows/find", map[string]any{}).OK(t)
	client(srv, reader, "bot").Do(t, "POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{map[string]any{"n": 1}}}).Expect(t, 403, bpError("Forbidden"))
	client(srv, reader, "bot").Do(t, "POST", "/v1/tables/itemsTable/rows/delete", map[string]any{"deleteAllRows": true}).Expect(t, 403, bpError("Forbidden"))
	// getOrCreateTable of a new table needs the schema scope, and so does the first table of a new bot.
	client(srv, reader, "bot").Do(t, "POST", "/v1/tables/newTable", map[string]any{"schema": map[string]any{"a": map[string]any{"type": "string"}}}).Expect(t, 403, bpError("Forbidden"))
	client(srv, writer, "new-bot").Do(t, "POST", "/v1/tables", map[string]any{"name": "aTable", "schema": map[string]any{"a": map[string]any{"type": "string"}}}).Expect(t, 403, bpError("Forbidden"))
	client(srv, writer, "bot").Do(t, "POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{map[string]any{"n": 1}}}).OK(t)
	client(srv, writer, "bot").Do(t, "PUT", "/v1/tables/itemsTable", map[string]any{"name": "renamedTable"}).Expect(t, 403, bpError("Forbidden"))

	// A token restricted to another database cannot see this bot's tables.
	other := srv.Platform(t, srv.AdminToken, `mutation { createDatabase(input: {name: "elsewhere"}) { id } }`, nil).OK(t)
	dbID := testserver.Str(other, "createDatabase", "id")
	data := srv.Platform(t, srv.AdminToken, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret } }`,
		map[string]any{"in": map[string]any{"name": "r", "scopes": []string{"READ", "WRITE"},
			"databases": []any{map[string]any{"databaseId": dbID, "access": "WRITE"}}}}).OK(t)
	restricted := testserver.Str(data, "createToken", "secret")
	client(srv, restricted, "bot").Do(t, "POST", "/v1/tables/itemsTable/rows/find", map[string]any{}).Expect(t, 403, bpError("Forbidden"))
	client(srv, restricted, "elsewhere").Do(t, "GET", "/v1/tables", nil).OK(t)
}

func TestUpdateTableSchemaAndKey(t *testing.T) {
	srv := setup(t)
	tok := srv.AdminToken
	upd := client(srv, tok, "bot").Do(t, "PUT", "/v1/tables/itemsTable", map[string]any{
		"keyColumn": "name", "factor": 2,
		"schema": map[string]any{"properties": map[string]any{
			"n":    map[string]any{"type": "string", "description": "now text"},
			"note": map[string]any{"type": "string", "x-zui": map[string]any{"searchable": true}},
		}},
	}).OK(t)
	table := upd["table"].(map[string]any)
	props := table["schema"].(map[string]any)["properties"].(map[string]any)
	if table["keyColumn"] != "name" || fmt.Sprint(table["factor"]) != "2" || props["n"].(map[string]any)["type"] != "string" ||
		props["note"].(map[string]any)["x-zui"].(map[string]any)["searchable"] != true {
		t.Fatalf("updated table: %s", mustMarshal(table))
	}
	// The key column is unique now: upserts match on it.
	client(srv, tok, "bot").Do(t, "POST", "/v1/tables/itemsTable/rows/upsert", map[string]any{"keyColumn": "name",
		"rows": []any{map[string]any{"name": "a", "n": "1"}}}).OK(t)
	res := client(srv, tok, "bot").Do(t, "POST", "/v1/tables/itemsTable/rows/upsert", map[string]any{"keyColumn": "name",
		"rows": []any{map[string]any{"name": "a", "n": "2"}}}).OK(t)
	if len(res["updated"].([]any)) != 1 {
		t.Fatalf("upsert: %s", mustMarshal(res))
	}
	// Removing the key; a factor cannot shrink; more than 20 columns are refused.
	upd = client(srv, tok, "bot").Do(t, "PUT", "/v1/tables/itemsTable", map[string]any{"keyColumn": nil}).OK(t)
	if upd["table"].(map[string]any)["keyColumn"] != nil {
		t.Fatalf("key kept: %s", mustMarshal(upd))
	}
	client(srv, tok, "bot").Do(t, "PUT", "/v1/tables/itemsTable", map[string]any{"factor": 1}).Expect(t, 400, bpError("InvalidPayload"))
	many := map[string]any{}
	for i := 0; i < 19; i++ {
		many[fmt.Sprintf("c%d", i)] = map[string]any{"type": "string"}
	}
	client(srv, tok, "bot").Do(t, "PUT", "/v1/tables/itemsTable", map[string]any{"schema": many}).Expect(t, 400, bpError("InvalidPayload"))
}

func mustMarshal(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
