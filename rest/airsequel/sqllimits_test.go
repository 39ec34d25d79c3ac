package airsequel_test

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// tenant signs a user up, with a workspace of its own, and returns its session token.
func (e *env) tenant(t *testing.T, email string) string {
	t.Helper()
	data := e.srv.Platform(t, "", `mutation($in: SignUpInput!) { signUp(input: $in) { token } }`,
		map[string]any{"in": map[string]any{"email": email, "password": "correct horse battery"}}).OK(t)
	return testserver.Str(data, "signUp", "token")
}

// Finding 9 (shared pool exhaustion): 25 raw SQL requests waiting on a lock their sender
// holds took the connections of the pool everything shares: /ready answered 503 and another
// tenant's query waited seconds. While one tenant's raw SQL waits, the main pool keeps free
// connections, /ready answers, another tenant's platform query runs, and the tenant's
// requests beyond its limit are refused.
func TestRawSQLSharedPoolExhaustion(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	abuser := e.tenant(t, "abuser@example.com")
	r := e.do(t, "POST", "/api/dbs", abuser, map[string]any{"name": "held", "query": "CREATE TABLE t (x int)"})
	if r.status != http.StatusOK {
		t.Fatalf("create the tenant's database: %d %s", r.status, r.raw)
	}
	dbID, _ := strconv.ParseInt(r.str("id"), 10, 64)
	db, err := e.srv.Store.GetDatabase(ctx, dbID)
	if err != nil {
		t.Fatal(err)
	}

	// The tenant holds its table in a transaction of its own; its raw SQL waits for it.
	admin, err := sql.Open("postgres", e.srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	holder, err := admin.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback() //nolint:errcheck // released below
	if _, err := holder.Exec(`LOCK TABLE ` + db.Schema + `.t IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	const abusive = `SELECT count(*) AS n FROM t`
	waiters := func() int {
		var n int
		if err := admin.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query = $1`, abusive).Scan(&n); err != nil {
			t.Error(err)
		}
		return n
	}

	// Watch the main pool and the waiting statements until the abuse is over.
	maxOpen := e.srv.Store.PoolStats().MaxOpenConnections
	var maxInUse, maxWaiters atomic.Int64
	stop := make(chan struct{})
	var watching sync.WaitGroup
	watching.Go(func() {
		for {
			if n := int64(e.srv.Store.PoolStats().InUse); n > maxInUse.Load() {
				maxInUse.Store(n)
			}
			if n := int64(waiters()); n > maxWaiters.Load() {
				maxWaiters.Store(n)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	})

	const requests = 25
	replies := make([]*reply, requests)
	var abuse sync.WaitGroup
	for i := range requests {
		// A stream rather than one burst: each request's authentication and database lookup
		// take a main pool connection for a moment, as any request's do; what must not happen
		// is that raw SQL keeps connections of the main pool while it waits.
		time.Sleep(10 * time.Millisecond)
		abuse.Go(func() {
			replies[i] = e.do(t, "POST", "/dbs/"+r.str("id")+"/sql", abuser, map[string]any{"query": abusive})
		})
	}
	for guard := time.Now().Add(30 * time.Second); waiters() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(guard) {
			t.Fatal("no raw SQL request waits for the lock")
		}
	}

	// Meanwhile another tenant is served, and the server is ready.
	if got := e.do(t, "GET", "/ready", "", nil); got.status != http.StatusOK {
		t.Errorf("/ready while a tenant's raw SQL waits: %d %s", got.status, got.raw)
	}
	e.srv.Platform(t, e.token, `{ databases { id name } }`, nil).OK(t)
	if waiters() == 0 {
		t.Error("the tenant's raw SQL stopped waiting before the other tenant was served: the test proved nothing")
	}

	abuse.Wait()
	close(stop)
	watching.Wait()
	if err := holder.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := maxInUse.Load(); n >= int64(maxOpen) {
		t.Errorf("the main pool had %d of its %d connections in use", n, maxOpen)
	}
	if n := maxWaiters.Load(); n > 2 {
		t.Errorf("%d raw SQL statements of one workspace waited at once, more than its limit of 2", n)
	}
	limited := 0
	for _, rep := range replies {
		switch {
		case rep.status == http.StatusTooManyRequests && rep.errorCode() == "RATE_LIMITED" &&
			strings.Contains(rep.str("errors", 0, "message"), "already runs 2 SQL requests at once"):
			limited++
		case rep.status == http.StatusOK && strings.Contains(rep.str("errors", 0), "lock timeout"):
		default:
			t.Errorf("abusive request: %d %s", rep.status, rep.raw)
		}
	}
	if limited == 0 {
		t.Error("no request beyond the workspace's limit was refused")
	}
	// Once the lock is gone the tenant's SQL runs again.
	if got := e.do(t, "POST", "/dbs/"+r.str("id")+"/sql", abuser, map[string]any{"query": abusive}); got.status != http.StatusOK ||
		got.str("rows", 0, "n") != "0" {
		t.Errorf("after the lock: %d %s", got.status, got.raw)
	}
}

// Finding 11 (memory amplification), raw SQL: a 120 MB result took the server from 67 to 536
// MiB, as results were capped by rows only. A result over the byte cap (16 MiB by default)
// gets a clear error instead, and the server goes on serving.
func TestRawSQLMemoryAmplification(t *testing.T) {
	e := newEnv(t)
	db := e.createDB(t, "big", "")
	r := e.do(t, "POST", "/dbs/"+db+"/sql", e.token, map[string]any{"query": `SELECT repeat('x', 1048576) AS pad FROM generate_series(1, 20)`})
	if r.status != http.StatusRequestEntityTooLarge || r.errorCode() != "PAYLOAD_TOO_LARGE" ||
		!strings.Contains(r.str("errors", 0, "message"), "larger than 16 MiB") {
		t.Fatalf("20 MiB of rows: %d %.300s", r.status, r.raw)
	}
	if got := e.do(t, "GET", "/ready", "", nil); got.status != http.StatusOK {
		t.Errorf("/ready after the refused result: %d %s", got.status, got.raw)
	}
	// Under the cap, big rows still come back whole.
	res := e.sql(t, db, `SELECT repeat('x', 1048576) AS pad FROM generate_series(1, 10)`)
	if rows, _ := res.get("rows").([]any); len(rows) != 10 || len(testserver.Str(rows[9], "pad")) != 1<<20 {
		t.Fatalf("10 MiB of rows: %d rows, errors %v", len(rows), res.get("errors"))
	}
}
