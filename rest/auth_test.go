package rest_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// --- helpers shared by the HTTP API tests of this package ---

// identityState is a fingerprint of every identity table (workspaces, users, memberships,
// sessions, API tokens), without last_used_at, which authentication updates in the
// background. A refused request must leave it unchanged.
func identityState(t testing.TB, srv *testserver.Server) string {
	t.Helper()
	queries := []string{
		`SELECT coalesce(json_agg(w ORDER BY id)::text, '[]') FROM workspaces w`,
		`SELECT coalesce(json_agg(u ORDER BY id)::text, '[]') FROM users u`,
		`SELECT coalesce(json_agg(m ORDER BY id)::text, '[]') FROM memberships m`,
		`SELECT coalesce(json_agg(s ORDER BY id)::text, '[]') FROM sessions s`,
		`SELECT coalesce(json_agg(t ORDER BY id)::text, '[]') FROM (SELECT id, workspace_id, name, token_prefix,
			token_hash, scopes, databases, expires_at, revoked_at, created_by, created_at, updated_at FROM api_tokens) t`,
	}
	var b strings.Builder
	for _, q := range queries {
		var s string
		if err := srv.Store.DB().GetContext(context.Background(), &s, q); err != nil {
			t.Fatalf("identity state: %v", err)
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

// refused runs a request that must fail with exactly one error carrying code, and checks that
// it changed nothing.
func refused(t *testing.T, srv *testserver.Server, token, query string, vars map[string]any, code string) *testserver.Response {
	t.Helper()
	before := identityState(t, srv)
	resp := srv.Platform(t, token, query, vars)
	if got := resp.ErrorCode(t); got != code {
		t.Fatalf("got code %s, want %s: %s", got, code, resp.Raw)
	}
	for k, v := range resp.Data {
		if v != nil {
			t.Fatalf("a refused request returned data for %s: %s", k, resp.Raw)
		}
	}
	if after := identityState(t, srv); after != before {
		t.Fatalf("a refused request (%s) changed the store:\nbefore: %s\nafter:  %s", code, before, after)
	}
	return resp
}

// withHeader posts a query with a raw Authorization header value ("" sends none).
func withHeader(t *testing.T, srv *testserver.Server, authorization, query string) *testserver.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return decodeResponse(t, req)
}

func decodeResponse(t *testing.T, req *http.Request) *testserver.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var decoded struct {
		Data   map[string]any     `json:"data"`
		Errors []testserver.Error `json:"errors"`
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("%s %s: status %d, body is not JSON: %v", req.Method, req.URL.Path, resp.StatusCode, err)
	}
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatalf("%s %s: %v: %s", req.Method, req.URL.Path, err, raw)
	}
	return &testserver.Response{Status: resp.StatusCode, Data: decoded.Data, Errors: decoded.Errors, Raw: raw}
}

type account struct {
	email, password string
	session         string // session bearer token
	userID          string
	workspaceID     string // the workspace made at sign-up
}

// signUp creates a user with its own workspace and returns it logged in.
func signUp(t *testing.T, srv *testserver.Server, email string) *account {
	t.Helper()
	a := &account{email: email, password: "correct horse " + email}
	data := srv.Platform(t, "", `mutation($in: SignUpInput!) { signUp(input: $in) { token expiresAt user { id email } } }`,
		map[string]any{"in": map[string]any{"email": email, "password": a.password, "workspaceName": "ws of " + email}}).OK(t)
	a.session = testserver.Str(data, "signUp", "token")
	a.userID = testserver.Str(data, "signUp", "user", "id")
	me := srv.Platform(t, a.session, `{ me { workspace { id } } }`, nil).OK(t)
	a.workspaceID = testserver.Str(me, "me", "workspace", "id")
	if a.session == "" || a.userID == "" || a.workspaceID == "" {
		t.Fatalf("sign-up of %s answered incompletely", email)
	}
	return a
}

func logIn(t *testing.T, srv *testserver.Server, email, password string) *testserver.Response {
	t.Helper()
	return srv.Platform(t, "", `mutation($in: LogInInput!) { logIn(input: $in) { token expiresAt user { email } } }`,
		map[string]any{"in": map[string]any{"email": email, "password": password}})
}

// newToken creates an API token with the given input (workspaceId, scopes, ...) and returns
// its secret and id.
func newToken(t *testing.T, srv *testserver.Server, as string, input map[string]any) (secret, id string) {
	t.Helper()
	data := srv.Platform(t, as, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret token { id } } }`,
		map[string]any{"in": input}).OK(t)
	return testserver.Str(data, "createToken", "secret"), testserver.Str(data, "createToken", "token", "id")
}

// exec runs SQL against the test's database (to age credentials, for example).
func exec(t *testing.T, srv *testserver.Server, query string, args ...any) {
	t.Helper()
	if _, err := srv.Store.DB().ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func count(t *testing.T, srv *testserver.Server, query string, args ...any) int {
	t.Helper()
	var n int
	if err := srv.Store.DB().GetContext(context.Background(), &n, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func scopesOf(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// --- authentication ---

func TestAuthorizationSchemes(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	for _, scheme := range []string{"Bearer", "Token", "JWT", "bearer", "token", "jwt"} {
		resp := withHeader(t, srv, scheme+" "+srv.AdminToken, `{ me { kind scopes workspace { name } token { name } } }`)
		data := resp.OK(t)
		if k := testserver.Str(data, "me", "kind"); k != "TOKEN" {
			t.Errorf("%s: kind %q, want TOKEN", scheme, k)
		}
		if got := strings.Join(scopesOf(testserver.Get(data, "me", "scopes")), ","); got != "READ,WRITE,SCHEMA,FILES,ADMIN" {
			t.Errorf("%s: scopes %s, want every scope", scheme, got)
		}
		if ws := testserver.Str(data, "me", "workspace", "name"); ws != "Owner" {
			t.Errorf("%s: workspace %q, want the owner workspace", scheme, ws)
		}
	}
}

func TestMissingOrBadCredentialsAreUnauthenticated(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	user := signUp(t, srv, "ann@example.com")

	revoked, revokedID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "revoked", "scopes": []string{"READ"}})
	srv.Platform(t, srv.AdminToken, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, map[string]any{"id": revokedID}).OK(t)
	expired, expiredID := newToken(t, srv, srv.AdminToken, map[string]any{"name": "expired", "scopes": []string{"READ"}})
	exec(t, srv, `UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, expiredID)
	expiredSession := signUp(t, srv, "old@example.com").session
	exec(t, srv, `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, hash(expiredSession))
	loggedOut := logIn(t, srv, user.email, user.password).OK(t)
	loggedOutSession := testserver.Str(loggedOut, "logIn", "token")
	srv.Platform(t, loggedOutSession, `mutation { logOut }`, nil).OK(t)

	cases := []struct {
		name, authorization, wantMessage string
	}{
		{"no header", "", "authentication required"},
		{"empty bearer", "Bearer ", "invalid token"},
		{"unknown scheme", "Basic " + srv.AdminToken, "invalid token"},
		{"unknown token", "Bearer gqb_" + strings.Repeat("A", 52), "invalid token"},
		{"truncated token", "Bearer " + srv.AdminToken[:len(srv.AdminToken)-1], "invalid token"},
		{"unknown session", "Bearer gqs_" + strings.Repeat("A", 52), "invalid or ended session"},
		{"revoked token", "Bearer " + revoked, "revoked"},
		{"expired token", "Bearer " + expired, "expired"},
		{"expired session", "Bearer " + expiredSession, "expired"},
		{"logged-out session", "Bearer " + loggedOutSession, "invalid or ended session"},
	}
	queries := []string{
		`{ me { kind } }`,
		`{ workspaces { id } }`,
		`{ tokens { id } }`,
		`mutation { createWorkspace(input: {name: "x"}) { id } }`,
		`mutation { createToken(input: {name: "x", scopes: [READ]}) { secret } }`,
		`mutation { logOut }`,
		`mutation { changePassword(input: {currentPassword: "correct horse ann@example.com", newPassword: "a new password"}) }`,
	}
	for _, c := range cases {
		for _, q := range queries {
			before := identityState(t, srv)
			resp := withHeader(t, srv, c.authorization, q)
			if got := resp.ErrorCode(t); got != "UNAUTHENTICATED" {
				t.Errorf("%s, %s: code %s, want UNAUTHENTICATED: %s", c.name, q, got, resp.Raw)
				continue
			}
			if msg := resp.Errors[0].Message; !strings.Contains(msg, c.wantMessage) {
				t.Errorf("%s, %s: message %q does not say %q", c.name, q, msg, c.wantMessage)
			}
			for _, v := range resp.Data {
				if v != nil {
					t.Errorf("%s, %s: returned data: %s", c.name, q, resp.Raw)
				}
			}
			if identityState(t, srv) != before {
				t.Errorf("%s, %s: a refused request changed the store", c.name, q)
			}
		}
	}
	// The credentials that were refused stay refused; the others still work.
	srv.Platform(t, user.session, `{ me { kind } }`, nil).OK(t)
	srv.Platform(t, srv.AdminToken, `{ me { kind } }`, nil).OK(t)
}

func hash(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

func TestMeReturnsThePrincipal(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ann := signUp(t, srv, "Ann@Example.com")
	data := srv.Platform(t, ann.session, `{ me { kind scopes expiresAt workspace { id name } user { id email } token { id } } }`, nil).OK(t)
	if k := testserver.Str(data, "me", "kind"); k != "USER" {
		t.Errorf("kind %q, want USER", k)
	}
	if e := testserver.Str(data, "me", "user", "email"); e != "ann@example.com" {
		t.Errorf("email %q, want it lower-cased", e)
	}
	if id := testserver.Str(data, "me", "user", "id"); id != ann.userID {
		t.Errorf("user id %s, want %s", id, ann.userID)
	}
	if n := testserver.Str(data, "me", "workspace", "name"); n != "ws of Ann@Example.com" {
		t.Errorf("workspace %q, want the one made at sign-up", n)
	}
	if got := strings.Join(scopesOf(testserver.Get(data, "me", "scopes")), ","); got != "READ,WRITE,SCHEMA,FILES,ADMIN" {
		t.Errorf("owner scopes %s, want every scope", got)
	}
	if testserver.Get(data, "me", "token") != nil {
		t.Errorf("a session principal has a token: %v", testserver.Get(data, "me", "token"))
	}
	exp, err := time.Parse(time.RFC3339, testserver.Str(data, "me", "expiresAt"))
	if err != nil || exp.Before(time.Now().Add(29*24*time.Hour)) {
		t.Errorf("session expiresAt %v (%v), want about 30 days ahead", exp, err)
	}

	secret, id := newToken(t, srv, srv.AdminToken, map[string]any{"name": "reader", "scopes": []string{"READ"}})
	data = srv.Platform(t, secret, `{ me { kind scopes user { id } token { id name } workspace { name } } }`, nil).OK(t)
	if k := testserver.Str(data, "me", "kind"); k != "TOKEN" {
		t.Errorf("kind %q, want TOKEN", k)
	}
	if got := strings.Join(scopesOf(testserver.Get(data, "me", "scopes")), ","); got != "READ" {
		t.Errorf("token scopes %s, want READ", got)
	}
	if got := testserver.Str(data, "me", "token", "id"); got != id {
		t.Errorf("token id %s, want %s", got, id)
	}
	if testserver.Get(data, "me", "user") != nil {
		t.Errorf("a token principal has a user")
	}
}

func TestSignUpLogInLogOut(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	if !strings.HasPrefix(ann.session, "gqs_") {
		t.Errorf("session token %q lacks the gqs_ prefix", ann.session)
	}
	// The sign-up made a workspace the user owns.
	data := srv.Platform(t, ann.session, `query($id: ID!) { workspace(id: $id) { name members { email role status } } }`,
		map[string]any{"id": ann.workspaceID}).OK(t)
	if r := testserver.Str(data, "workspace", "members", 0, "role"); r != "OWNER" {
		t.Errorf("sign-up member role %q, want OWNER", r)
	}
	if s := testserver.Str(data, "workspace", "members", 0, "status"); s != "ACTIVE" {
		t.Errorf("sign-up member status %q, want ACTIVE", s)
	}

	// Log-in (any case of the email) opens a second session; both work.
	second := testserver.Str(logIn(t, srv, "ANN@example.com", ann.password).OK(t), "logIn", "token")
	if second == "" || second == ann.session {
		t.Fatalf("log-in returned session %q", second)
	}
	srv.Platform(t, second, `{ me { kind } }`, nil).OK(t)

	// Wrong password and unknown email say the same, and change nothing.
	for _, c := range [][2]string{{"ann@example.com", "wrong password"}, {"nobody@example.com", ann.password}, {"", ""}} {
		before := identityState(t, srv)
		resp := logIn(t, srv, c[0], c[1])
		if code := resp.ErrorCode(t); code != "UNAUTHENTICATED" {
			t.Errorf("log-in %q/%q: code %s, want UNAUTHENTICATED", c[0], c[1], code)
		}
		if msg := resp.Errors[0].Message; msg != "wrong email or password" {
			t.Errorf("log-in %q: message %q", c[0], msg)
		}
		if identityState(t, srv) != before {
			t.Errorf("a failed log-in changed the store")
		}
	}

	// Log-out ends that session only.
	srv.Platform(t, second, `mutation { logOut }`, nil).OK(t)
	if code := srv.Platform(t, second, `{ me { kind } }`, nil).ErrorCode(t); code != "UNAUTHENTICATED" {
		t.Errorf("after log-out: code %s, want UNAUTHENTICATED", code)
	}
	srv.Platform(t, ann.session, `{ me { kind } }`, nil).OK(t)

	// An API token cannot log out.
	refused(t, srv, srv.AdminToken, `mutation { logOut }`, nil, "BAD_USER_INPUT")
}

func TestSignUpRefusesBadInput(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	signUp(t, srv, "taken@example.com")
	const q = `mutation($in: SignUpInput!) { signUp(input: $in) { token } }`
	good := func(change map[string]any) map[string]any {
		in := map[string]any{"email": "new@example.com", "password": "long enough"}
		for k, v := range change {
			in[k] = v
		}
		return map[string]any{"in": in}
	}
	cases := []struct {
		name  string
		input map[string]any
		code  string
		field string
	}{
		{"email without @", good(map[string]any{"email": "not-an-email"}), "BAD_USER_INPUT", "email"},
		{"email without domain dot", good(map[string]any{"email": "a@localhost"}), "BAD_USER_INPUT", "email"},
		{"email with a display name", good(map[string]any{"email": "Ann <ann@example.com>"}), "BAD_USER_INPUT", "email"},
		{"empty email", good(map[string]any{"email": ""}), "BAD_USER_INPUT", "email"},
		{"very long email", good(map[string]any{"email": strings.Repeat("a", 250) + "@example.com"}), "BAD_USER_INPUT", "email"},
		{"short password", good(map[string]any{"password": "7 chars"}), "BAD_USER_INPUT", "password"},
		{"long password", good(map[string]any{"password": strings.Repeat("p", 257)}), "BAD_USER_INPUT", "password"},
		{"blank name", good(map[string]any{"name": "   "}), "BAD_USER_INPUT", "name"},
		{"long name", good(map[string]any{"name": strings.Repeat("n", 201)}), "BAD_USER_INPUT", "name"},
		{"blank workspace name", good(map[string]any{"workspaceName": " "}), "BAD_USER_INPUT", "workspaceName"},
		{"email taken", good(map[string]any{"email": "taken@example.com"}), "BAD_USER_INPUT", "email"},
		{"email taken in another case", good(map[string]any{"email": "Taken@Example.COM"}), "BAD_USER_INPUT", "email"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := refused(t, srv, "", q, c.input, c.code)
			if f, _ := resp.Errors[0].Extensions["field"].(string); f != c.field {
				t.Errorf("field %q, want %q", f, c.field)
			}
		})
	}
	// Missing required input is a GraphQL validation error.
	refused(t, srv, "", `mutation { signUp(input: {email: "x@example.com"}) { token } }`, nil, "GRAPHQL_VALIDATION_FAILED")
	if n := count(t, srv, `SELECT count(*) FROM users`); n != 1 {
		t.Errorf("%d users, want 1", n)
	}
}

func TestSignUpCanBeDisabled(t *testing.T) {
	t.Parallel()
	srv := testserver.StartWith(t, testserver.Options{DisableSignUp: true})
	refused(t, srv, "", `mutation { signUp(input: {email: "ann@example.com", password: "long enough"}) { token } }`, nil, "FORBIDDEN")
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	other := testserver.Str(logIn(t, srv, ann.email, ann.password).OK(t), "logIn", "token")
	const q = `mutation($cur: String!, $new: String!) { changePassword(input: {currentPassword: $cur, newPassword: $new}) }`

	resp := refused(t, srv, ann.session, q, map[string]any{"cur": "wrong password", "new": "a new password"}, "FORBIDDEN")
	if f := resp.Errors[0].Extensions["field"]; f != "currentPassword" {
		t.Errorf("field %v, want currentPassword", f)
	}
	refused(t, srv, ann.session, q, map[string]any{"cur": ann.password, "new": "short"}, "BAD_USER_INPUT")
	refused(t, srv, ann.session, q, map[string]any{"cur": ann.password, "new": strings.Repeat("x", 257)}, "BAD_USER_INPUT")
	refused(t, srv, srv.AdminToken, q, map[string]any{"cur": ann.password, "new": "a new password"}, "FORBIDDEN")
	refused(t, srv, "", q, map[string]any{"cur": ann.password, "new": "a new password"}, "UNAUTHENTICATED")

	if got := srv.Platform(t, ann.session, q, map[string]any{"cur": ann.password, "new": "a new password"}).OK(t); got["changePassword"] != true {
		t.Fatalf("changePassword answered %v", got)
	}
	// The session that changed it still works; the other one ended.
	srv.Platform(t, ann.session, `{ me { kind } }`, nil).OK(t)
	if code := srv.Platform(t, other, `{ me { kind } }`, nil).ErrorCode(t); code != "UNAUTHENTICATED" {
		t.Errorf("other session after a password change: code %s, want UNAUTHENTICATED", code)
	}
	if code := logIn(t, srv, ann.email, ann.password).ErrorCode(t); code != "UNAUTHENTICATED" {
		t.Errorf("log-in with the old password: code %s", code)
	}
	logIn(t, srv, ann.email, "a new password").OK(t)
}

func TestSecretsAreStoredHashed(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	secret, id := newToken(t, srv, srv.AdminToken, map[string]any{"name": "t", "scopes": []string{"READ"}})
	if !strings.HasPrefix(secret, "gqb_") || len(secret) < 40 {
		t.Errorf("token secret %q: want gqb_ and 256 random bits", secret)
	}

	var pwHash string
	if err := srv.Store.DB().Get(&pwHash, `SELECT password_hash FROM users WHERE email = $1`, ann.email); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pwHash, "$argon2id$") {
		t.Errorf("password hash %q is not argon2id", pwHash)
	}
	if n := count(t, srv, `SELECT count(*) FROM api_tokens WHERE id = $1 AND token_hash = $2`, id, hash(secret)); n != 1 {
		t.Errorf("the token is not stored as the SHA-256 of its secret")
	}
	if n := count(t, srv, `SELECT count(*) FROM sessions WHERE token_hash = $1`, hash(ann.session)); n != 1 {
		t.Errorf("the session is not stored as the SHA-256 of its secret")
	}
	// No table holds a secret or a password in clear.
	dump := identityState(t, srv)
	for _, s := range []string{secret, secret[4:], ann.session, ann.session[4:], srv.AdminToken, ann.password} {
		if strings.Contains(dump, s) {
			t.Errorf("the store holds %q in clear", s)
		}
	}
}
