package rest_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

const jwtFields = `accessToken accessExpiresAt refreshToken refreshExpiresAt sessionId user { id email }`

type jwtPair struct{ access, refresh, session string }

func logInJWT(t *testing.T, srv *testserver.Server, a *account) jwtPair {
	t.Helper()
	data := srv.Platform(t, "", `mutation($in: LogInInput!) { logInJwt(input: $in) { `+jwtFields+` } }`,
		map[string]any{"in": map[string]any{"email": a.email, "password": a.password}}).OK(t)
	p := jwtPair{testserver.Str(data, "logInJwt", "accessToken"), testserver.Str(data, "logInJwt", "refreshToken"),
		testserver.Str(data, "logInJwt", "sessionId")}
	if strings.Count(p.access, ".") != 2 || !strings.HasPrefix(p.refresh, "gqr_") || p.session == "" {
		t.Fatalf("logInJwt answered %v", data)
	}
	if got := testserver.Str(data, "logInJwt", "user", "email"); got != a.email {
		t.Fatalf("logInJwt user %q, want %q", got, a.email)
	}
	return p
}

func refreshJWT(t *testing.T, srv *testserver.Server, refresh string) *testserver.Response {
	t.Helper()
	return srv.Platform(t, "", `mutation($r: String!) { refreshJwt(refreshToken: $r) { `+jwtFields+` } }`, map[string]any{"r": refresh})
}

// jwtRequest posts a GraphQL request with Authorization: JWT <access>, Baserow's scheme.
func jwtRequest(t *testing.T, srv *testserver.Server, path, access, query string, vars map[string]any) *apitest.Reply {
	t.Helper()
	return apitest.New(srv.URL, "").WithHeader("Authorization", "JWT "+access).
		Do(t, http.MethodPost, path, map[string]any{"query": query, "variables": vars})
}

func replyCode(r *apitest.Reply) string {
	errs, _ := testserver.Get(r.Body, "errors").([]any)
	if len(errs) == 0 {
		return ""
	}
	return testserver.Str(errs[0], "extensions", "code")
}

// A log-in over HTTP gives a JWT that works as Authorization: JWT on the platform API, on the
// typed API and on a WebSocket subscription; logging out (by refresh token, as Baserow's
// token-blacklist does) refuses it on HTTP and ends the open subscription.
func TestJWTSessionOverHTTPAndWebSocket(t *testing.T) {
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	pair := logInJWT(t, srv, ann)

	me := jwtRequest(t, srv, "/graphql", pair.access, `{ me { kind user { email } workspace { id } } }`, nil).Expect(t, 200)
	if testserver.Str(me.Body, "data", "me", "kind") != "USER" || testserver.Str(me.Body, "data", "me", "user", "email") != ann.email {
		t.Fatalf("me with the JWT: %s", me.Raw)
	}
	db := testserver.Str(jwtRequest(t, srv, "/graphql", pair.access, `mutation { createDatabase(input: {name: "notes"}) { id } }`, nil).
		Expect(t, 200).Body, "data", "createDatabase", "id")
	table := testserver.Str(jwtRequest(t, srv, "/graphql", pair.access, `mutation($in: CreateTableInput!) { createTable(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"databaseId": db, "name": "notes", "columns": []any{map[string]any{"name": "title", "type": "TEXT"}}}}).
		Expect(t, 200).Body, "data", "createTable", "id")
	if table == "" || db == "" {
		t.Fatal("could not create a database and a table with the JWT")
	}
	typed := jwtRequest(t, srv, "/dbs/"+db+"/graphql", pair.access, `mutation { insert_notes(objects: [{title: "first"}]) { affected_rows } }`, nil).Expect(t, 200)
	if n := testserver.Get(typed.Body, "data", "insert_notes", "affected_rows"); n == nil || n.(interface{ String() string }).String() != "1" {
		t.Fatalf("typed insert with the JWT: %s", typed.Raw)
	}
	list := jwtRequest(t, srv, "/dbs/"+db+"/graphql", pair.access, `{ notes { title } }`, nil).Expect(t, 200)
	if got := testserver.Str(list.Body, "data", "notes", 0, "title"); got != "first" {
		t.Fatalf("typed query with the JWT: %s", list.Raw)
	}

	// A subscription authenticated with the JWT (Bearer works as well as JWT).
	c := subscribe(t, srv, pair.access, "s1", rowEventsSub, map[string]any{"t": table})
	e := &dataEnv{srv: srv, token: ann.session, db: db}
	e.waitSubscribed(t, c, table, map[string]any{"title": "probe"})

	out := srv.Platform(t, "", `mutation($r: String) { logOutJwt(refreshToken: $r) }`, map[string]any{"r": pair.refresh}).OK(t)
	if out["logOutJwt"] != true {
		t.Fatalf("logOutJwt answered %v", out)
	}
	if code := c.subscriptionEnded("s1", nil); code != "UNAUTHENTICATED" {
		t.Errorf("the subscription ended with %s, want UNAUTHENTICATED", code)
	}
	for _, path := range []string{"/graphql", "/dbs/" + db + "/graphql"} {
		r := jwtRequest(t, srv, path, pair.access, `{ __typename }`, nil)
		if path == "/graphql" {
			r = jwtRequest(t, srv, path, pair.access, `{ me { kind } }`, nil)
		}
		if code := replyCode(r); code != "UNAUTHENTICATED" {
			t.Errorf("%s after log-out: %d %s, want UNAUTHENTICATED", path, r.Status, r.Raw)
		}
	}
	if r := refreshJWT(t, srv, pair.refresh); codeOf(r) != "UNAUTHENTICATED" {
		t.Errorf("refresh after log-out: %s", r.Raw)
	}
	// The opaque session of the same user keeps working.
	if kind := testserver.Str(srv.Platform(t, ann.session, `{ me { kind } }`, nil).OK(t), "me", "kind"); kind != "USER" {
		t.Errorf("the opaque session stopped working: %s", kind)
	}
}

// A log-out through another process reaches this one's requests within the principal cache
// window (2 s): the JWT's session is asked about, not only its signature.
func TestJWTLogOutInAnotherProcess(t *testing.T) {
	srv := testserver.Start(t)
	other := testserver.StartWith(t, testserver.Options{DSN: srv.DSN})
	ann := signUp(t, srv, "ann@example.com")
	pair := logInJWT(t, srv, ann)
	srv.Platform(t, pair.access, `{ me { kind } }`, nil).OK(t) // cached here
	other.Platform(t, pair.access, `mutation { logOutJwt }`, nil).OK(t)
	deadline := time.Now().Add(revocationDeadline)
	for codeOf(srv.Platform(t, pair.access, `{ me { kind } }`, nil)) != "UNAUTHENTICATED" {
		if time.Now().After(deadline) {
			t.Fatalf("the JWT still works here %v after its session was revoked elsewhere", revocationDeadline)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Refresh tokens rotate; presenting one that was exchanged already revokes its whole family.
func TestJWTRefreshRotationAndReuseRevokesFamily(t *testing.T) {
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	first := logInJWT(t, srv, ann)

	data := refreshJWT(t, srv, first.refresh).OK(t)
	second := jwtPair{testserver.Str(data, "refreshJwt", "accessToken"), testserver.Str(data, "refreshJwt", "refreshToken"),
		testserver.Str(data, "refreshJwt", "sessionId")}
	if second.refresh == first.refresh || second.session != first.session || second.access == "" {
		t.Fatalf("refresh answered %v", data)
	}
	for _, access := range []string{first.access, second.access} {
		srv.Platform(t, access, `{ me { kind } }`, nil).OK(t)
	}
	v := srv.Platform(t, "", `mutation($t: String!) { verifyJwt(token: $t) { sessionId user { email } expiresAt issuedAt } }`,
		map[string]any{"t": second.access}).OK(t)
	if testserver.Str(v, "verifyJwt", "sessionId") != first.session || testserver.Str(v, "verifyJwt", "user", "email") != ann.email {
		t.Fatalf("verifyJwt answered %v", v)
	}

	// The first refresh token again: a replay. The session ends, with every token of it.
	reuse := refreshJWT(t, srv, first.refresh)
	if codeOf(reuse) != "UNAUTHENTICATED" || !strings.Contains(string(reuse.Raw), "used already") {
		t.Fatalf("reused refresh token: %s", reuse.Raw)
	}
	if r := refreshJWT(t, srv, second.refresh); codeOf(r) != "UNAUTHENTICATED" {
		t.Errorf("the family's newest refresh token still works after a reuse: %s", r.Raw)
	}
	for i, access := range []string{first.access, second.access} {
		if r := srv.Platform(t, access, `{ me { kind } }`, nil); codeOf(r) != "UNAUTHENTICATED" {
			t.Errorf("access token %d still works after the reuse: %s", i, r.Raw)
		}
	}
	if r := srv.Platform(t, "", `mutation($t: String!) { verifyJwt(token: $t) { sessionId } }`, map[string]any{"t": second.access}); codeOf(r) != "UNAUTHENTICATED" {
		t.Errorf("verifyJwt of a revoked session's token: %s", r.Raw)
	}
	if n := count(t, srv, `SELECT count(*) FROM sessions WHERE id = $1 AND revoked_at IS NOT NULL`, first.session); n != 1 {
		t.Errorf("the session is not marked revoked")
	}
	// Another log-in of the same user is another family, untouched.
	third := logInJWT(t, srv, ann)
	srv.Platform(t, third.access, `{ me { kind } }`, nil).OK(t)
	if r := refreshJWT(t, srv, "gqr_notarefreshtoken"); codeOf(r) != "UNAUTHENTICATED" {
		t.Errorf("an unknown refresh token: %s", r.Raw)
	}
}

// Access tokens that are expired, signed with another key, unsigned (alg none), signed with
// another algorithm, or whose claims were changed are refused everywhere, with the reason.
func TestJWTForgedOrExpiredRefused(t *testing.T) {
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	bob := signUp(t, srv, "bob@example.com")
	pair := logInJWT(t, srv, ann)
	var key []byte
	if err := srv.Store.DB().GetContext(context.Background(), &key, `SELECT secret FROM signing_keys WHERE name = 'jwt'`); err != nil || len(key) < 32 {
		t.Fatalf("signing key: %v (%d bytes)", err, len(key))
	}
	sid, _ := strconv.ParseInt(pair.session, 10, 64)
	claims := func(sub string, exp time.Time) jwt.MapClaims {
		return jwt.MapClaims{"sub": sub, "sid": sid, "iss": "gqlbase", "iat": time.Now().Add(-time.Hour).Unix(), "exp": exp.Unix()}
	}
	sign := func(m jwt.SigningMethod, k any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	later := time.Now().Add(5 * time.Minute)
	// A well-formed token signed with the real key works: the refusals below are about what
	// each one changes.
	good := sign(jwt.SigningMethodHS256, key, claims(ann.userID, later))
	srv.Platform(t, good, `{ me { kind } }`, nil).OK(t)

	parts := strings.Split(good, ".")
	forged := map[string]string{
		"expired":       sign(jwt.SigningMethodHS256, key, claims(ann.userID, time.Now().Add(-time.Minute))),
		"another key":   sign(jwt.SigningMethodHS256, []byte("an attacker's key, 32 bytes long!!"), claims(ann.userID, later)),
		"alg none":      sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(ann.userID, later)),
		"HS512":         sign(jwt.SigningMethodHS512, key, claims(ann.userID, later)),
		"another user":  sign(jwt.SigningMethodHS256, key, claims(bob.userID, later)),
		"no expiry":     sign(jwt.SigningMethodHS256, key, jwt.MapClaims{"sub": ann.userID, "sid": sid, "iss": "gqlbase"}),
		"payload swap":  parts[0] + "." + strings.Split(sign(jwt.SigningMethodHS256, key, claims(bob.userID, later)), ".")[1] + "." + parts[2],
		"truncated sig": parts[0] + "." + parts[1] + "." + parts[2][:10],
	}
	before := identityState(t, srv)
	for name, tok := range forged {
		t.Run(name, func(t *testing.T) {
			if r := srv.Platform(t, tok, `{ me { kind } }`, nil); codeOf(r) != "UNAUTHENTICATED" {
				t.Errorf("platform API accepted it: %s", r.Raw)
			}
			if r := jwtRequest(t, srv, "/graphql", tok, `mutation { createDatabase(input: {name: "x"}) { id } }`, nil); replyCode(r) != "UNAUTHENTICATED" {
				t.Errorf("a mutation was not refused: %s", r.Raw)
			}
			if r := srv.Platform(t, "", `mutation($t: String!) { verifyJwt(token: $t) { sessionId } }`, map[string]any{"t": tok}); codeOf(r) != "UNAUTHENTICATED" {
				t.Errorf("verifyJwt accepted it: %s", r.Raw)
			}
		})
	}
	if r := srv.Platform(t, forged["expired"], `{ me { kind } }`, nil); !strings.Contains(string(r.Raw), "expired") {
		t.Errorf("an expired token is not told so: %s", r.Raw)
	}
	if after := identityState(t, srv); after != before {
		t.Errorf("refused tokens changed the store")
	}
	if n := count(t, srv, `SELECT count(*) FROM databases WHERE name = 'x'`); n != 0 {
		t.Errorf("a forged token created %d databases", n)
	}
}
