package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gqlbase/gqlbase/e2e"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// lockedBuffer collects the server's log lines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// introspectionTypes are the types GraphQL itself names with two underscores.
var introspectionTypes = map[string]bool{"__Schema": true, "__Type": true, "__TypeKind": true, "__Field": true,
	"__InputValue": true, "__EnumValue": true, "__Directive": true, "__DirectiveLocation": true}

// TestTableNamesGivingTypesWithTwoUnderscoresAreRefused: a table named "_" would give the typed
// API the types __row, __bool_exp, ..., which GraphQL reserves and graphql-js rejects. Creating,
// renaming or duplicating a table to that name is refused with BAD_USER_INPUT; a table raw SQL
// created with it (and a LINK column "_", whose relationship would be __rel) is left out of the
// typed schema and logged, and the rest of the schema serves.
func TestTableNamesGivingTypesWithTwoUnderscoresAreRefused(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	srv := testserver.StartWith(t, testserver.Options{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	data := srv.Platform(t, srv.AdminToken, `mutation { createDatabase(input: {name: "d"}) { id } }`, nil).OK(t)
	e := &typedEnv{srv: srv, db: testserver.Str(data, "createDatabase", "id")}
	e.path = "/dbs/" + e.db + "/graphql"

	badName := func(what string, r *testserver.Response) {
		t.Helper()
		if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "name" ||
			!strings.Contains(r.Errors[0].Message, "two underscores") {
			t.Errorf("%s: want one BAD_USER_INPUT error on name about two underscores, got %s", what, r.Raw)
		}
	}
	badName("createTable _", srv.Platform(t, srv.AdminToken, `mutation($db: ID!) { createTable(input: {databaseId: $db, name: "_"}) { id } }`,
		map[string]any{"db": e.db}))
	parents := e.table(t, "parents", col("name", "TEXT"))
	badName("updateTable to _", srv.Platform(t, srv.AdminToken, `mutation($id: ID!) { updateTable(id: $id, input: {name: "_"}) { id } }`,
		map[string]any{"id": parents}))
	badName("duplicateTable as _", srv.Platform(t, srv.AdminToken, `mutation($id: ID!) { duplicateTable(id: $id, name: "_") { id } }`,
		map[string]any{"id": parents}))
	// Names that merely start with one underscore stay valid.
	e.table(t, "_ok", col("_", "LINK", "linkTable", parents))

	// Raw SQL may create it.
	body, _ := json.Marshal(map[string]any{"query": `CREATE TABLE "_" (name text)`})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/dbs/"+e.db+"/sql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+srv.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.Contains(string(raw), `"errors":[{`) {
		t.Fatalf("raw SQL CREATE TABLE \"_\": status %d: %s", resp.StatusCode, raw)
	}

	schema := e.q(t, `{ __schema { types { name fields { name } } } }`, nil)
	for _, ty := range testserver.Get(schema, "__schema", "types").([]any) {
		name := testserver.Str(ty, "name")
		if strings.HasPrefix(name, "__") && !introspectionTypes[name] {
			t.Errorf("the typed schema has the type %s", name)
		}
		fields, _ := testserver.Get(ty, "fields").([]any)
		for _, f := range fields {
			if fn := testserver.Str(f, "name"); strings.HasPrefix(fn, "__") && !introspectionTypes[name] {
				t.Errorf("the typed schema has the field %s.%s", name, fn)
			}
		}
	}
	// graphql-js takes the schema.
	out := e2e.Run(context.Background(), t, "typed-introspection.mjs", srv.URL+e.path, srv.AdminToken)
	var res struct {
		SchemaErrors []string `json:"schemaErrors"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("script output: %v: %s", err, out)
	}
	if len(res.SchemaErrors) > 0 {
		t.Errorf("graphql-js validateSchema: %q", res.SchemaErrors)
	}
	// The other tables serve.
	e.q(t, `mutation { insert_parents_one(object: {name: "p"}) { id } insert__ok_one(object: {_: 1}) { id } }`, nil)
	if got := jsonOf(e.q(t, `{ _ok { _ } parents { name _ok_by__ { id } } }`, nil)); got != `{"_ok":[{"_":1}],"parents":[{"_ok_by__":[{"id":"1"}],"name":"p"}]}` {
		t.Errorf("the other tables: %s", got)
	}
	for _, want := range []string{"table _", "_ok.__rel"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log does not name %q as left out:\n%s", want, logs.String())
		}
	}
}
