package main

import (
	"database/sql"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAdminTokenFromEnvironmentIsBoundToTheOwnerWorkspace: GQLBASE_ADMIN_TOKEN administers the
// workspace the first start made and no other. A secret rotated or revoked through the API
// does not come back on the next start, and once the owner workspace is deleted the variable
// does not become ADMIN of another customer's workspace: the start is refused, saying why.
func TestAdminTokenFromEnvironmentIsBoundToTheOwnerWorkspace(t *testing.T) {
	t.Parallel()
	cluster, _ := externalCluster(t, "rotated", "deleted")
	// serveWith starts gqlbase on one of the databases with an admin token from the environment
	// ("" for none).
	serveWith := func(t *testing.T, db, token string) *process {
		env := []string{"DATABASE_URL=" + cluster.URL(db)}
		if token != "" {
			env = append(env, "GQLBASE_ADMIN_TOKEN="+token)
		}
		return start(t, env, "serve", "--addr", "127.0.0.1:0", "--data-dir", newDataDir(t), "--log-format", "json")
	}
	stop := func(t *testing.T, p *process) {
		t.Helper()
		p.signal(syscall.SIGTERM)
		if code := p.wait(time.Minute); code != 0 {
			t.Fatalf("exit code %d:\n%s", code, p.output)
		}
	}
	refused := func(t *testing.T, p *process, secret string, why ...string) {
		t.Helper()
		if code := p.wait(time.Minute); code == 0 {
			t.Fatalf("started with a GQLBASE_ADMIN_TOKEN it should refuse:\n%s", p.output)
		}
		out := p.output.String()
		for _, w := range append([]string{"GQLBASE_ADMIN_TOKEN"}, why...) {
			if !strings.Contains(out, w) {
				t.Errorf("the refusal does not say %q:\n%s", w, out)
			}
		}
		if strings.Contains(out, secret) {
			t.Errorf("the refusal shows the secret")
		}
	}
	must := func(t *testing.T, p *process, token, query string) map[string]any {
		t.Helper()
		_, body := p.graphql(token, query)
		if errs, ok := body["errors"]; ok {
			t.Fatalf("%s: %v", query, errs)
		}
		return body["data"].(map[string]any)
	}

	t.Run("rotated or revoked", func(t *testing.T) {
		first := "env-admin-token-first-0123456789abcdefghijkl"
		p := serveWith(t, "rotated", first)
		p.waitServing()
		id := must(t, p, first, `{ tokens { id } }`)["tokens"].([]any)[0].(map[string]any)["id"].(string)
		rotated := must(t, p, first, `mutation { rotateToken(id: "`+id+`") { secret } }`)["rotateToken"].(map[string]any)["secret"].(string)
		stop(t, p)

		refused(t, serveWith(t, "rotated", first), first, "rotated")

		// The token's current secret is accepted; revoked, it is refused in turn.
		p = serveWith(t, "rotated", rotated)
		p.waitServing()
		if kind := p.meKind(rotated); kind != "TOKEN" {
			t.Fatalf("the rotated secret put in GQLBASE_ADMIN_TOKEN: %s", kind)
		}
		must(t, p, rotated, `mutation { revokeToken(id: "`+id+`") { id } }`)
		stop(t, p)
		refused(t, serveWith(t, "rotated", rotated), rotated, "revoked")
		refused(t, serveWith(t, "rotated", first), first, "rotated")

		// A secret never seen becomes a new admin token of the owner workspace.
		fresh := "env-admin-token-fresh-0123456789abcdefghijkl"
		p = serveWith(t, "rotated", fresh)
		p.waitServing()
		if ws := must(t, p, fresh, `{ me { workspace { name } } }`); fmt.Sprint(ws) != "map[me:map[workspace:map[name:Owner]]]" {
			t.Errorf("a new GQLBASE_ADMIN_TOKEN acts in %v", ws)
		}
		stop(t, p)
	})

	t.Run("owner workspace deleted", func(t *testing.T) {
		token := "env-admin-token-owner-0123456789abcdefghijkl"
		p := serveWith(t, "deleted", token)
		p.waitServing()
		owner := must(t, p, token, `{ me { workspace { id } } }`)["me"].(map[string]any)["workspace"].(map[string]any)["id"].(string)
		must(t, p, "", `mutation { signUp(input: {email: "customer@example.com", password: "customer password"}) { token } }`)
		must(t, p, token, `mutation { deleteWorkspace(id: "`+owner+`") }`)
		stop(t, p)

		refused(t, serveWith(t, "deleted", token), token, "workspace "+owner, "deleted")
		db, err := sql.Open("postgres", cluster.DSN("deleted"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var tokens int
		if err := db.QueryRow(`SELECT count(*) FROM api_tokens`).Scan(&tokens); err != nil {
			t.Fatal(err)
		}
		if tokens != 0 {
			t.Errorf("%d tokens exist after the owner workspace was deleted, want none", tokens)
		}
		// Without the variable the server starts, for the customers' workspaces.
		p = serveWith(t, "deleted", "")
		p.waitServing()
		stop(t, p)
	})
}
