package rest_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

const defaultDBQuery = `mutation($ws: ID) { defaultDatabase(workspaceId: $ws) { id name } }`

func defaultDB(t *testing.T, srv *testserver.Server, token, ws string) (id, name string) {
	t.Helper()
	vars := map[string]any{}
	if ws != "" {
		vars["ws"] = ws
	}
	data := srv.Platform(t, token, defaultDBQuery, vars).OK(t)
	return testserver.Str(data, "defaultDatabase", "id"), testserver.Str(data, "defaultDatabase", "name")
}

func workspaceDefault(t *testing.T, srv *testserver.Server, token, ws string) string {
	t.Helper()
	data := srv.Platform(t, token, `query($ws: ID!) { workspace(id: $ws) { defaultDatabase { id } } }`, map[string]any{"ws": ws}).OK(t)
	return testserver.Str(data, "workspace", "defaultDatabase", "id")
}

// A workspace's default database is made on first use (once, however many ask at once),
// adopted from its oldest database when it has one, chosen with setDefaultDatabase, and handed
// to the oldest remaining database when deleted.
func TestDefaultDatabase(t *testing.T) {
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	if got := workspaceDefault(t, srv, ann.session, ann.workspaceID); got != "" {
		t.Fatalf("a new workspace has default database %s", got)
	}

	// Many callers at once get one database.
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() { defer wg.Done(); ids[i], _ = defaultDB(t, srv, ann.session, ann.workspaceID) }()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] || id == "" {
			t.Fatalf("concurrent callers got databases %v", ids)
		}
	}
	if n := count(t, srv, `SELECT count(*) FROM databases WHERE workspace_id = $1`, ann.workspaceID); n != 1 {
		t.Fatalf("%d databases made, want 1", n)
	}
	first := ids[0]
	if _, name := defaultDB(t, srv, ann.session, ""); name != "default" {
		t.Errorf("the default database is named %q", name)
	}
	if got := workspaceDefault(t, srv, ann.session, ann.workspaceID); got != first {
		t.Errorf("Workspace.defaultDatabase is %q, want %s", got, first)
	}

	// A viewer may read it but not make one; a workspace with a database adopts it.
	bob := signUp(t, srv, "bob@example.com")
	join(t, srv, ann, ann.workspaceID, bob, "VIEWER")
	if id, _ := defaultDB(t, srv, bob.session, ann.workspaceID); id != first {
		t.Errorf("the viewer sees default %s, want %s", id, first)
	}
	carl := signUp(t, srv, "carl@example.com")
	join(t, srv, carl, carl.workspaceID, bob, "VIEWER")
	before := identityState(t, srv)
	refused(t, srv, bob.session, defaultDBQuery, map[string]any{"ws": carl.workspaceID}, "FORBIDDEN")
	if identityState(t, srv) != before || count(t, srv, `SELECT count(*) FROM databases WHERE workspace_id = $1`, carl.workspaceID) != 0 {
		t.Fatal("a refused defaultDatabase made something")
	}
	own := testserver.Str(srv.Platform(t, carl.session, `mutation { createDatabase(input: {name: "mine"}) { id } }`, nil).OK(t), "createDatabase", "id")
	if id, name := defaultDB(t, srv, carl.session, carl.workspaceID); id != own || name != "mine" {
		t.Errorf("a workspace with one database got default %s %q, want its database %s", id, name, own)
	}

	// Choose another; deleting it hands the role to the oldest remaining one.
	second := testserver.Str(srv.Platform(t, ann.session, `mutation { createDatabase(input: {name: "second"}) { id } }`, nil).OK(t), "createDatabase", "id")
	srv.Platform(t, ann.session, `mutation($id: ID!) { setDefaultDatabase(databaseId: $id) { id } }`, map[string]any{"id": second}).OK(t)
	if got := workspaceDefault(t, srv, ann.session, ann.workspaceID); got != second {
		t.Fatalf("after setDefaultDatabase the default is %s, want %s", got, second)
	}
	refused(t, srv, bob.session, `mutation($id: ID!) { setDefaultDatabase(databaseId: $id) { id } }`, map[string]any{"id": first}, "FORBIDDEN")
	refused(t, srv, carl.session, `mutation($id: ID!) { setDefaultDatabase(databaseId: $id) { id } }`, map[string]any{"id": first}, "NOT_FOUND")
	srv.Platform(t, ann.session, `mutation($id: ID!) { deleteDatabase(id: $id) }`, map[string]any{"id": second}).OK(t)
	if got := workspaceDefault(t, srv, ann.session, ann.workspaceID); got != first {
		t.Errorf("after deleting the default the default is %q, want the oldest remaining %s", got, first)
	}
	srv.Platform(t, ann.session, `mutation($id: ID!) { deleteDatabase(id: $id) }`, map[string]any{"id": first}).OK(t)
	if got := workspaceDefault(t, srv, ann.session, ann.workspaceID); got != "" {
		t.Errorf("a workspace without databases has default %s", got)
	}
	if id, name := defaultDB(t, srv, ann.session, ann.workspaceID); id == "" || id == first || name != "default" {
		t.Errorf("a new default was not made: %s %q", id, name)
	}
	// Deleting a workspace with a default database works (the reference goes with it).
	srv.Platform(t, carl.session, `mutation($id: ID!) { deleteWorkspace(id: $id) }`, map[string]any{"id": carl.workspaceID}).OK(t)
}

type auditRow struct{ action, resourceType, resourceID, actor string }

func auditPage(t *testing.T, srv *testserver.Server, token string, vars map[string]any) ([]auditRow, string, bool) {
	t.Helper()
	data := srv.Platform(t, token, `query($ws: ID, $a: String, $rt: String, $rid: ID, $first: Int, $after: String) {
		auditLog(workspaceId: $ws, action: $a, resourceType: $rt, resourceId: $rid, first: $first, after: $after) {
			entries { id at actor action resourceType resourceId details } endCursor hasNextPage } }`, vars).OK(t)
	var out []auditRow
	for _, e := range testserver.Get(data, "auditLog", "entries").([]any) {
		out = append(out, auditRow{testserver.Str(e, "action"), testserver.Str(e, "resourceType"), testserver.Str(e, "resourceId"), testserver.Str(e, "actor")})
	}
	return out, testserver.Str(data, "auditLog", "endCursor"), testserver.Get(data, "auditLog", "hasNextPage") == true
}

// Schema changes, tokens, members, settings and exports are recorded with who did them, and
// the log pages newest first, filters by action and resource, and is for admins only.
func TestAuditLog(t *testing.T) {
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	bob := signUp(t, srv, "bob@example.com")
	ok := func(q string, vars map[string]any) map[string]any { return srv.Platform(t, ann.session, q, vars).OK(t) }
	db := testserver.Str(ok(`mutation { createDatabase(input: {name: "shop"}) { id } }`, nil), "createDatabase", "id")
	table := testserver.Str(ok(`mutation($in: CreateTableInput!) { createTable(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"databaseId": db, "name": "items", "columns": []any{map[string]any{"name": "name", "type": "TEXT"}}}}), "createTable", "id")
	col := testserver.Str(ok(`mutation($t: ID!) { addColumn(table: $t, input: {name: "price", type: NUMBER}) { id } }`, map[string]any{"t": table}), "addColumn", "id")
	ok(`mutation($id: ID!) { renameColumn(id: $id, name: "cost") { id } }`, map[string]any{"id": col})
	ok(`mutation($id: ID!) { deleteColumn(id: $id) }`, map[string]any{"id": col})
	_, tokenID := newToken(t, srv, ann.session, map[string]any{"name": "ci", "scopes": []string{"READ"}})
	ok(`mutation($id: ID!) { revokeToken(id: $id) { id } }`, map[string]any{"id": tokenID})
	member := join(t, srv, ann, ann.workspaceID, bob, "VIEWER")
	ok(`mutation($id: ID!) { updateMemberRole(memberId: $id, role: EDITOR) { id } }`, map[string]any{"id": member})
	air := apitest.New(srv.URL, ann.session)
	air.Do(t, "PATCH", "/api/dbs/"+db+"/settings", map[string]any{"description": "the shop"}).Expect(t, http.StatusOK)
	air.Do(t, "GET", "/dbs/"+db+"/download", nil).Expect(t, http.StatusOK)
	// A refused change leaves no entry.
	refused(t, srv, ann.session, `mutation($in: CreateTableInput!) { createTable(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"databaseId": db, "name": "items", "columns": []any{map[string]any{"name": "name", "type": "TEXT"}}}}, "BAD_USER_INPUT")

	entries, _, more := auditPage(t, srv, ann.session, map[string]any{"first": 100})
	if more {
		t.Error("hasNextPage on a page holding everything")
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.action+" "+e.resourceType+":"+e.resourceID)
		if e.actor != "user:"+ann.userID {
			t.Errorf("%s acted by %s, want user:%s", e.action, e.actor, ann.userID)
		}
	}
	want := []string{
		"database.export database:" + db, "settings.update database:" + db, "member.role member:" + member,
		"member.invite member:" + member, "token.revoke token:" + tokenID, "token.create token:" + tokenID,
		"column.delete column:" + col, "column.rename column:" + col, "column.create column:" + col, "table.create table:" + table, "database.create database:" + db,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log (newest first):\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Paging: three at a time, no gaps nor repeats.
	var paged []string
	vars := map[string]any{"first": 3}
	for page := 0; ; page++ {
		es, cursor, more := auditPage(t, srv, ann.session, vars)
		for _, e := range es {
			paged = append(paged, e.action+" "+e.resourceType+":"+e.resourceID)
		}
		if !more {
			break
		}
		if page > 10 || cursor == "" {
			t.Fatal("paging does not end")
		}
		vars = map[string]any{"first": 3, "after": cursor}
	}
	if strings.Join(paged, "\n") != strings.Join(want, "\n") {
		t.Errorf("paged audit log:\n%s", strings.Join(paged, "\n"))
	}
	// Filters.
	if es, _, _ := auditPage(t, srv, ann.session, map[string]any{"a": "token.create"}); len(es) != 1 || es[0].resourceID != tokenID {
		t.Errorf("by action: %v", es)
	}
	if es, _, _ := auditPage(t, srv, ann.session, map[string]any{"rt": "database", "rid": db}); len(es) != 3 {
		t.Errorf("by resource: %v", es)
	}
	// Admins only; bad arguments are refused.
	refused(t, srv, bob.session, `query($ws: ID) { auditLog(workspaceId: $ws) { hasNextPage } }`, map[string]any{"ws": ann.workspaceID}, "FORBIDDEN")
	refused(t, srv, bob.session, `{ auditLog { hasNextPage } }`, nil, "FORBIDDEN")
	refused(t, srv, ann.session, `query($ws: ID) { auditLog(workspaceId: $ws) { hasNextPage } }`, map[string]any{"ws": "not-an-id"}, "BAD_USER_INPUT")
	refused(t, srv, ann.session, `{ auditLog(first: 0) { hasNextPage } }`, nil, "BAD_USER_INPUT")
	refused(t, srv, ann.session, `{ auditLog(after: "nope") { hasNextPage } }`, nil, "BAD_USER_INPUT")
	refused(t, srv, carlToken(t, srv), `query($ws: ID) { auditLog(workspaceId: $ws) { hasNextPage } }`, map[string]any{"ws": ann.workspaceID}, "NOT_FOUND")

	// Retention: entries older than it are purged, newer ones stay.
	exec(t, srv, `UPDATE audit_log SET at = now() - interval '500 days' WHERE action = 'database.create'`)
	n, err := srv.Store.PurgeAudit(t.Context(), 400*24*3600e9)
	if err != nil || n != 1 {
		t.Fatalf("purged %d (%v), want 1", n, err)
	}
	if es, _, _ := auditPage(t, srv, ann.session, map[string]any{"first": 100}); len(es) != len(want)-1 {
		t.Errorf("after the purge %d entries, want %d", len(es), len(want)-1)
	}
}

func carlToken(t *testing.T, srv *testserver.Server) string {
	return signUp(t, srv, "carl@example.com").session
}
