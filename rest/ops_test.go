package rest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/dataloaders"
	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/logging"
	"github.com/gqlbase/gqlbase/resolvers"
	"github.com/gqlbase/gqlbase/rest"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// logBuffer collects log output; the server writes from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines decodes the JSON log lines.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

func loggedServer(t *testing.T, level string) (*testserver.Server, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	srv := testserver.StartWith(t, testserver.Options{Logger: logging.New(logs, "json", level)})
	return srv, logs
}

// call sends a GraphQL POST with optional token and headers and returns the decoded
// response and the response headers.
func call(t *testing.T, srv *testserver.Server, token, query string, vars map[string]any, header http.Header) (*testserver.Response, http.Header) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &testserver.Response{Status: resp.StatusCode, Raw: raw}
	var decoded struct {
		Data   map[string]any     `json:"data"`
		Errors []testserver.Error `json:"errors"`
	}
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatalf("status %d, body is not JSON: %s", resp.StatusCode, raw)
	}
	out.Data, out.Errors = decoded.Data, decoded.Errors
	return out, resp.Header
}

func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("GET %s: not JSON: %v", url, err)
	}
	return resp.StatusCode, m
}

func TestHealth(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	for _, auth := range []string{"", "Bearer nonsense"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/health", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("/health (auth %q): %d %v", auth, resp.StatusCode, err)
		}
		if body["status"] != "ok" || body["version"] != "test" {
			t.Errorf("/health: %v", body)
		}
		if up, ok := body["uptimeSeconds"].(float64); !ok || up < 0 {
			t.Errorf("/health uptimeSeconds %v", body["uptimeSeconds"])
		}
	}
}

func TestReadyChecksPostgres(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	status, body := getJSON(t, srv.URL+"/ready")
	if status != http.StatusOK || body["status"] != "ready" || body["postgres"] != "ok" {
		t.Fatalf("/ready: %d %v", status, body)
	}
	// Without a database, not ready; still alive.
	srv.Store.Close()
	status, body = getJSON(t, srv.URL+"/ready")
	if status != http.StatusServiceUnavailable || body["status"] != "unavailable" {
		t.Errorf("/ready without Postgres: %d %v", status, body)
	}
	if status, _ := getJSON(t, srv.URL+"/health"); status != http.StatusOK {
		t.Errorf("/health without Postgres: %d", status)
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	for range 3 {
		srv.Platform(t, srv.AdminToken, `query Who { me { kind } }`, nil).OK(t)
	}
	srv.Platform(t, "", `query Who { me { kind } }`, nil) // an error
	srv.Platform(t, srv.AdminToken, `mutation Touch { ping }`, nil).OK(t)
	srv.Platform(t, srv.AdminToken, `{ version }`, nil).OK(t)
	c := dialWS(t, srv, transportWS, nil)
	c.init(transportWS, map[string]any{"token": srv.AdminToken})
	waitForGauge(t, srv, "gqlbase_websockets_open", 1)

	body := metricsText(t, srv)
	for _, want := range []string{
		// operations by API, type, name and outcome, with latencies
		`gqlbase_graphql_operations_total{api="platform",name="Who",outcome="ok",type="query"} 3`,
		`gqlbase_graphql_operations_total{api="platform",name="Who",outcome="error",type="query"} 1`,
		`gqlbase_graphql_operations_total{api="platform",name="Touch",outcome="ok",type="mutation"} 1`,
		`gqlbase_graphql_operations_total{api="platform",name="anonymous",outcome="ok",type="query"} 1`,
		`gqlbase_graphql_operation_duration_seconds_count{api="platform",name="Who",type="query"} 4`,
		`gqlbase_graphql_operation_duration_seconds_bucket{api="platform",name="Touch",type="mutation",le="+Inf"} 1`,
		// HTTP requests by route and status, with latencies
		`gqlbase_http_requests_total{method="POST",route="/graphql",status="200"} 6`,
		`gqlbase_http_request_duration_seconds_count{route="/graphql"}`,
		// the database pool
		`go_sql_max_open_connections{db_name="gqlbase"} 20`,
		`go_sql_open_connections{db_name="gqlbase"}`,
		`go_sql_in_use_connections{db_name="gqlbase"}`,
		`go_sql_wait_count_total{db_name="gqlbase"}`,
		// open websockets
		`gqlbase_websockets_open 1`,
		// the process
		`process_resident_memory_bytes`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Client-chosen operation names cannot grow the series without bound.
	for i := range 300 {
		srv.Platform(t, "", `query Op`+strings.Repeat("x", i%5)+itoa(i)+` { version }`, nil)
	}
	srv.Platform(t, "", `query `+strings.Repeat("L", 100)+` { version }`, nil)
	body = metricsText(t, srv)
	if n := strings.Count(body, `gqlbase_graphql_operations_total{`); n > 210 {
		t.Errorf("%d operation series after 300 distinct names", n)
	}
	if !strings.Contains(body, `name="other"`) {
		t.Errorf("names past the cap are not folded into \"other\"")
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

var generatedID = regexp.MustCompile(`^[A-Z2-7]{16}$`)

func TestRequestID(t *testing.T) {
	t.Parallel()
	srv, logs := loggedServer(t, "info")
	seen := map[string]bool{}
	for range 5 {
		_, h := call(t, srv, "", `{ version }`, nil, nil)
		id := h.Get("X-Request-Id")
		if !generatedID.MatchString(id) {
			t.Errorf("generated request id %q", id)
		}
		if seen[id] {
			t.Errorf("request id %s given twice", id)
		}
		seen[id] = true
	}
	_, h := call(t, srv, "", `{ version }`, nil, http.Header{"X-Request-Id": {"trace-42.a_B"}})
	if got := h.Get("X-Request-Id"); got != "trace-42.a_B" {
		t.Errorf("a sane caller id came back as %q", got)
	}
	for _, bad := range []string{"has space", strings.Repeat("x", 65), "new\u00e9", "semi;colon", `"quoted"`} {
		_, h := call(t, srv, "", `{ version }`, nil, http.Header{"X-Request-Id": {bad}})
		if got := h.Get("X-Request-Id"); !generatedID.MatchString(got) {
			t.Errorf("caller id %q replaced by %q, want a generated one", bad, got)
		}
	}
	// Every route answers with an id, and the access log line carries it.
	resp, err := http.Get(srv.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	healthID := resp.Header.Get("X-Request-Id")
	if healthID == "" {
		t.Fatal("/health has no X-Request-Id")
	}
	found := false
	for _, line := range logs.lines(t) {
		if line["msg"] == "request" && line["request_id"] == healthID && line["path"] == "/health" {
			found = true
		}
	}
	if !found {
		t.Errorf("no access log line with request_id %s", healthID)
	}
}

func TestLogsCarryRequestIDAndNoSecrets(t *testing.T) {
	t.Parallel()
	srv, logs := loggedServer(t, "debug")
	mark := len(logs.lines(t))

	var ids []string
	do := func(token, query string, vars map[string]any) *testserver.Response {
		resp, h := call(t, srv, token, query, vars, nil)
		ids = append(ids, h.Get("X-Request-Id"))
		return resp
	}
	const password = "my secret password 123"
	const newPassword = "another secret password 456"
	signed := do("", `mutation($p: String!) { signUp(input: {email: "ann@example.com", password: $p}) { token } }`, map[string]any{"p": password})
	session := testserver.Str(signed.Data, "signUp", "token")
	do("", `mutation { logIn(input: {email: "ann@example.com", password: "wrong password 789"}) { token } }`, nil)
	do(session, `mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) }`,
		map[string]any{"c": password, "n": newPassword})
	created := do(srv.AdminToken, `mutation { createToken(input: {name: "ci", scopes: [READ]}) { secret token { id } } }`, nil)
	secret := testserver.Str(created.Data, "createToken", "secret")
	do(secret, `{ me { kind } }`, nil)
	rotated := do(srv.AdminToken, `mutation($id: ID!) { rotateToken(id: $id) { secret } }`,
		map[string]any{"id": testserver.Str(created.Data, "createToken", "token", "id")})
	rotatedSecret := testserver.Str(rotated.Data, "rotateToken", "secret")
	do(secret, `{ me { kind } }`, nil) // the old secret: refused
	do("gqb_not_a_real_token_but_still_secret", `{ me { kind } }`, nil)
	// A GET with the token in the URL (which clients should not do) logs no query string.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?query="+url.QueryEscape(`{ version }`)+"&access_token="+rotatedSecret, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	ids = append(ids, resp.Header.Get("X-Request-Id"))
	c := dialWS(t, srv, legacyWS, nil)
	c.init(legacyWS, map[string]any{"Authorization": "Bearer " + rotatedSecret})
	c.query(legacyWS, "1", `{ me { kind } }`)
	bad := dialWS(t, srv, transportWS, nil)
	bad.send(wsMessage{Type: "connection_init", Payload: json.RawMessage(`{"token": "gqb_another_secret_that_is_wrong"}`)})
	bad.closed(5 * time.Second)
	c.conn.Close()
	waitForGauge(t, srv, "gqlbase_websockets_open", 0)

	all := logs.String()
	for _, s := range []string{password, newPassword, "wrong password 789", session, session[4:], secret, secret[4:],
		rotatedSecret, rotatedSecret[4:], srv.AdminToken, "gqb_not_a_real_token_but_still_secret", "gqb_another_secret_that_is_wrong"} {
		if strings.Contains(all, s) {
			t.Errorf("the logs contain the secret %q", s)
		}
	}
	lines := logs.lines(t)[mark:]
	if len(lines) < len(ids) {
		t.Fatalf("%d log lines for %d requests", len(lines), len(ids))
	}
	logged := map[string]bool{}
	for _, line := range lines {
		id, _ := line["request_id"].(string)
		if id == "" {
			t.Errorf("log line without request_id: %v", line)
		}
		logged[id] = true
	}
	for _, id := range ids {
		if !logged[id] {
			t.Errorf("request %s left no log line", id)
		}
	}
}

func TestInternalErrorsAreLoggedNotShown(t *testing.T) {
	t.Parallel()
	srv, logs := loggedServer(t, "info")
	srv.Store.Close() // every query now fails inside the database driver

	resp, h := call(t, srv, "", `mutation { logIn(input: {email: "ann@example.com", password: "whatever it is"}) { token } }`, nil, nil)
	id := h.Get("X-Request-Id")
	if len(resp.Errors) != 1 || resp.Errors[0].Message != "internal error" || resp.Errors[0].Code() != "INTERNAL" {
		t.Fatalf("internal error shown as: %s", resp.Raw)
	}
	if got := resp.Errors[0].Extensions["requestId"]; got != id {
		t.Errorf("requestId %v, want the X-Request-Id %s", got, id)
	}
	if strings.Contains(strings.ToLower(string(resp.Raw)), "sql") {
		t.Errorf("the response leaks the cause: %s", resp.Raw)
	}
	found := false
	for _, line := range logs.lines(t) {
		if line["msg"] == "internal error" && line["request_id"] == id && strings.Contains(line["err"].(string), "database is closed") {
			found = true
		}
	}
	if !found {
		t.Errorf("the internal error was not logged with its cause and request id %s:\n%s", id, logs.String())
	}

	// Credentials that cannot be checked are refused, and the reason is logged, not shown.
	resp, h = call(t, srv, srv.AdminToken, `{ me { kind } }`, nil, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].Code() != "UNAUTHENTICATED" || strings.Contains(string(resp.Raw), "sql") {
		t.Errorf("unverifiable credentials: %s", resp.Raw)
	}
	found = false
	for _, line := range logs.lines(t) {
		if line["msg"] == "authenticate token" && line["request_id"] == h.Get("X-Request-Id") {
			found = true
		}
	}
	if !found {
		t.Errorf("the authentication failure was not logged with its request id")
	}
}

func TestPanicsAreRecovered(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	logger := logging.New(logs, "json", "info")
	st, err := storage.Open(context.Background(), pgtest.NewDatabase(t), storage.Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cache, err := dataloaders.NewCache(dataloaders.CacheConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	res := &resolvers.Resolver{Store: st, Cache: cache, Logger: logger, Version: "test", AllowSignUp: true}
	api := rest.New(rest.Config{Logger: logger, Version: "test"}, res)
	res.Store = nil // from now on, resolvers and authentication that touch the store panic
	hs := httptest.NewServer(api.Handler())
	defer hs.Close()
	srv := &testserver.Server{URL: hs.URL}

	// In a resolver: a GraphQL error, code INTERNAL.
	resp, h := call(t, srv, "", `mutation { logIn(input: {email: "ann@example.com", password: "whatever it is"}) { token } }`, nil, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].Message != "internal error" || resp.Errors[0].Code() != "INTERNAL" {
		t.Errorf("panic in a resolver shown as: %d %s", resp.Status, resp.Raw)
	}
	if strings.Contains(string(resp.Raw), "nil pointer") || strings.Contains(string(resp.Raw), "goroutine") {
		t.Errorf("the response leaks the panic: %s", resp.Raw)
	}
	resolverID := h.Get("X-Request-Id")

	// In the middleware (authentication): 500, still a GraphQL-shaped error with a code.
	resp, h = call(t, srv, "gqb_anything_at_all", `{ me { kind } }`, nil, nil)
	if resp.Status != http.StatusInternalServerError || len(resp.Errors) != 1 || resp.Errors[0].Code() != "INTERNAL" ||
		resp.Errors[0].Message != "internal error" || resp.Errors[0].Extensions["requestId"] != h.Get("X-Request-Id") {
		t.Errorf("panic in the middleware shown as: %d %s", resp.Status, resp.Raw)
	}
	middlewareID := h.Get("X-Request-Id")

	// The server keeps serving, and both panics are logged with their stack and request id;
	// the failed request is in the access log and the metrics as a 500.
	if status, _ := getJSON(t, hs.URL+"/health"); status != http.StatusOK {
		t.Errorf("/health after panics: %d", status)
	}
	var resolverLogged, middlewareLogged, accessLogged bool
	for _, line := range logs.lines(t) {
		stack, _ := line["stack"].(string)
		switch {
		case line["request_id"] == resolverID && line["msg"] == "panic in resolver" && strings.Contains(stack, "resolvers"):
			resolverLogged = true
		case line["request_id"] == middlewareID && line["msg"] == "panic" && strings.Contains(stack, "Authenticate"):
			middlewareLogged = true
		case line["request_id"] == middlewareID && line["msg"] == "request" && line["status"] == float64(500):
			accessLogged = true
		}
	}
	if !resolverLogged || !middlewareLogged || !accessLogged {
		t.Errorf("logged: resolver panic %v, middleware panic %v, access line %v:\n%s", resolverLogged, middlewareLogged, accessLogged, logs.String())
	}
}

// Servers starting together on one empty database bootstrap it once: one owner workspace,
// one admin token, handed to one of them.
func TestConcurrentBootstrapMakesOneOwner(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	quiet := logging.New(io.Discard, "text", "error")
	const n = 6
	var stores []*storage.Store
	for range n {
		st, err := storage.Open(context.Background(), dsn, storage.Options{Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		stores = append(stores, st)
	}
	type result struct {
		secret  string
		created bool
		err     error
	}
	results := make(chan result, n)
	begin := make(chan struct{})
	for _, st := range stores {
		go func() {
			res := &resolvers.Resolver{Store: st, Logger: quiet}
			<-begin
			secret, created, err := res.Bootstrap(context.Background(), "")
			results <- result{secret, created, err}
		}()
	}
	close(begin)
	var secrets []string
	for range n {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.created {
			secrets = append(secrets, r.secret)
		}
	}
	if len(secrets) != 1 {
		t.Fatalf("%d servers made an admin token, want 1", len(secrets))
	}
	var workspaces, tokens int
	if err := stores[0].DB().QueryRow(`SELECT (SELECT count(*) FROM workspaces), (SELECT count(*) FROM api_tokens)`).Scan(&workspaces, &tokens); err != nil {
		t.Fatal(err)
	}
	if workspaces != 1 || tokens != 1 {
		t.Errorf("%d workspaces and %d tokens, want one of each", workspaces, tokens)
	}
}
