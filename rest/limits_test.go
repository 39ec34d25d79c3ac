package rest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/rest"
)

// nested returns a selection of me { workspace { members { workspace { ... id } } } } that
// is depth levels deep (depth is odd, at least 3).
func nested(depth int) string {
	var b strings.Builder
	b.WriteString("me { workspace { ")
	open := 2
	for open+2 < depth {
		b.WriteString("members { workspace { ")
		open += 2
	}
	b.WriteString("id")
	b.WriteString(strings.Repeat(" }", open))
	return b.String()
}

func TestDepthLimit(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	max := rest.DefaultLimits.Depth
	srv.Platform(t, srv.AdminToken, "{ "+nested(max-1)+" }", nil).OK(t)
	resp := refused(t, srv, srv.AdminToken, "{ "+nested(max+1)+" }", nil, "BAD_USER_INPUT")
	if msg := resp.Errors[0].Message; !strings.Contains(msg, fmt.Sprintf("limit is %d", max)) {
		t.Errorf("message %q does not name the limit", msg)
	}

	// Fragments count where they are spread.
	frag := `query { me { workspace { ...Deep } } }
		fragment Deep on Workspace { members { workspace { members { workspace { members { workspace { members { workspace { members { workspace { members { workspace { id } } } } } } } } } } } } }`
	refused(t, srv, srv.AdminToken, frag, nil, "BAD_USER_INPUT")

	// A too deep mutation does not run at all.
	ann := signUp(t, srv, "ann@example.com")
	// (createWorkspace takes the place of me { workspace }: one level less.)
	deep := `mutation { createWorkspace(input: {name: "deep"}) { ` + strings.TrimPrefix(nested(max+3), "me { workspace { ")
	refused(t, srv, ann.session, deep, nil, "BAD_USER_INPUT")

	// Introspection does not count: GraphiQL's query is deep and cheap.
	introspection := "{ __schema { types { fields { type { " + strings.Repeat("ofType { ", 10) + "name" + strings.Repeat(" }", 15)
	srv.Platform(t, "", introspection, nil).OK(t)
}

func aliases(n int, field string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, field)
	}
	b.WriteString(" }")
	return b.String()
}

func TestComplexityLimit(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	// me { kind scopes workspace { id name } } costs 6.
	const field = "me { kind scopes workspace { id name } }"
	max := rest.DefaultLimits.Complexity
	srv.Platform(t, srv.AdminToken, aliases(max/6, field), nil).OK(t)
	resp := refused(t, srv, srv.AdminToken, aliases(max/6+1, field), nil, "COMPLEXITY_LIMIT_EXCEEDED")
	if msg := resp.Errors[0].Message; !strings.Contains(msg, fmt.Sprint(max)) {
		t.Errorf("message %q does not name the limit", msg)
	}

	// Over the limit, no part of a mutation runs.
	lim := rest.DefaultLimits
	lim.Complexity = 20
	small := testserver.StartWith(t, testserver.Options{Config: rest.Config{Limits: lim}})
	ann := signUp(t, small, "ann@example.com")
	var m strings.Builder
	m.WriteString("mutation {")
	for i := range 5 {
		fmt.Fprintf(&m, ` w%d: createWorkspace(input: {name: "w%d"}) { id name members { id email role } }`, i, i)
	}
	m.WriteString(" }")
	refused(t, small, ann.session, m.String(), nil, "COMPLEXITY_LIMIT_EXCEEDED")
}

func TestParserTokenLimit(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	// Each alias is three tokens (name, colon, field).
	resp := refused(t, srv, srv.AdminToken, aliases(rest.DefaultLimits.Tokens/3+1, "__typename"), nil, "GRAPHQL_PARSE_FAILED")
	if msg := resp.Errors[0].Message; !strings.Contains(msg, "token limit") {
		t.Errorf("message %q does not say what was exceeded", msg)
	}

	lim := rest.DefaultLimits
	lim.Tokens = 40
	small := testserver.StartWith(t, testserver.Options{Config: rest.Config{Limits: lim}})
	small.Platform(t, small.AdminToken, aliases(10, "__typename"), nil).OK(t) // 32 tokens
	refused(t, small, small.AdminToken, aliases(20, "__typename"), nil, "GRAPHQL_PARSE_FAILED")
	ann := signUp(t, small, "ann@example.com")
	refused(t, small, ann.session, `mutation { a: createWorkspace(input: {name: "a"}) { id name } b: createWorkspace(input: {name: "b"}) { id name }
		c: createWorkspace(input: {name: "c"}) { id name } d: createWorkspace(input: {name: "d"}) { id name } }`, nil, "GRAPHQL_PARSE_FAILED")
}

// postBody posts a raw body to /graphql; chunked hides its length.
func postBody(t *testing.T, srv *testserver.Server, token, contentType string, body []byte, chunked bool) *testserver.Response {
	t.Helper()
	var r io.Reader = bytes.NewReader(body)
	if chunked {
		r = io.MultiReader(r) // not a type net/http knows the length of
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", r)
	if err != nil {
		t.Fatal(err)
	}
	if chunked && req.ContentLength != 0 {
		t.Fatal("the request would carry its length")
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return decodeResponse(t, req)
}

// padded is a GraphQL request JSON body of exactly size bytes.
func padded(t *testing.T, query string, size int) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	if len(body) > size {
		t.Fatalf("query longer than %d bytes", size)
	}
	return append(body, bytes.Repeat([]byte(" "), size-len(body))...)
}

func TestBodySizeLimit(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	max := int(rest.DefaultLimits.MaxBodyBytes)
	const mutation = `mutation { createWorkspace(input: {name: "big"}) { id } }`

	for _, chunked := range []bool{false, true} {
		name := map[bool]string{false: "with length", true: "chunked"}[chunked]
		t.Run(name, func(t *testing.T) {
			resp := postBody(t, srv, ann.session, "application/json", padded(t, `{ me { kind } }`, max), chunked)
			if resp.Status != http.StatusOK || testserver.Str(resp.Data, "me", "kind") != "USER" {
				t.Errorf("a body of exactly the limit: status %d %s", resp.Status, resp.Raw)
			}
			before := identityState(t, srv)
			resp = postBody(t, srv, ann.session, "application/json", padded(t, mutation, max+1), chunked)
			if resp.Status != http.StatusRequestEntityTooLarge {
				t.Errorf("status %d, want 413", resp.Status)
			}
			if code := resp.ErrorCode(t); code != "PAYLOAD_TOO_LARGE" {
				t.Errorf("code %s, want PAYLOAD_TOO_LARGE", code)
			}
			if identityState(t, srv) != before {
				t.Errorf("an oversized request changed the store")
			}
		})
	}
}

// multipartBody builds a GraphQL multipart request (operations, map, then files).
func multipartBody(t *testing.T, operations string, files map[string][]byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("operations", operations)
	fileMap := map[string][]string{}
	i := 0
	for range files {
		fileMap[fmt.Sprint(i)] = []string{fmt.Sprintf("variables.f%d", i)}
		i++
	}
	m, _ := json.Marshal(fileMap)
	_ = mw.WriteField("map", string(m))
	i = 0
	for name, content := range files {
		w, _ := mw.CreateFormFile(fmt.Sprint(i), name)
		_, _ = w.Write(content)
		i++
	}
	_ = mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func TestMultipartRequests(t *testing.T) {
	t.Parallel()
	lim := rest.DefaultLimits
	lim.MaxUploadBytes = 64 << 10
	srv := testserver.StartWith(t, testserver.Options{Config: rest.Config{Limits: lim}})
	ann := signUp(t, srv, "ann@example.com")

	ct, body := multipartBody(t, `{"query": "{ me { kind user { email } } }"}`, nil)
	resp := postBody(t, srv, ann.session, ct, body, false)
	if resp.Status != http.StatusOK || testserver.Str(resp.Data, "me", "user", "email") != ann.email {
		t.Fatalf("multipart query: status %d %s", resp.Status, resp.Raw)
	}
	ct, body = multipartBody(t, `{"query": "mutation { createWorkspace(input: {name: \"via multipart\"}) { name } }"}`, nil)
	resp = postBody(t, srv, ann.session, ct, body, false)
	if testserver.Str(resp.Data, "createWorkspace", "name") != "via multipart" {
		t.Fatalf("multipart mutation: %s", resp.Raw)
	}

	// Over the upload limit: 413, and nothing runs (the operations part alone is too big).
	mutation := `{"query": "mutation { createWorkspace(input: {name: \"too big\"}) { id } }"}` + strings.Repeat(" ", int(lim.MaxUploadBytes))
	ct, body = multipartBody(t, mutation, nil)
	for _, chunked := range []bool{false, true} {
		before := identityState(t, srv)
		resp := postBody(t, srv, ann.session, ct, body, chunked)
		if resp.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked=%v: status %d, want 413: %s", chunked, resp.Status, resp.Raw)
		}
		if code := resp.ErrorCode(t); code != "PAYLOAD_TOO_LARGE" {
			t.Errorf("chunked=%v: code %s, want PAYLOAD_TOO_LARGE", chunked, code)
		}
		if identityState(t, srv) != before {
			t.Errorf("chunked=%v: an oversized multipart request changed the store", chunked)
		}
	}

	// Malformed multipart requests are refused with a code.
	for name, raw := range map[string]string{
		"no operations part":  "--b\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{}\r\n--b--\r\n",
		"operations not JSON": "--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{nope\r\n--b--\r\n",
		"no map part":         "--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{\"query\":\"{ me { kind } }\"}\r\n--b--\r\n",
		"truncated":           "--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{\"query\":",
	} {
		before := identityState(t, srv)
		resp := postBody(t, srv, ann.session, "multipart/form-data; boundary=b", []byte(raw), false)
		if resp.Status < 400 || resp.Status > 499 {
			t.Errorf("%s: status %d, want a 4xx: %s", name, resp.Status, resp.Raw)
		}
		if code := resp.ErrorCode(t); code != "BAD_USER_INPUT" {
			t.Errorf("%s: code %q, want BAD_USER_INPUT: %s", name, code, resp.Raw)
		}
		if identityState(t, srv) != before {
			t.Errorf("%s: changed the store", name)
		}
	}
}

func TestMutationOverGETChangesNothing(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ann := signUp(t, srv, "ann@example.com")
	get := func(query string) *testserver.Response {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/graphql?query="+url.QueryEscape(query), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+ann.session)
		return decodeResponse(t, req)
	}
	resp := get(`{ me { user { email } } }`)
	if resp.Status != http.StatusOK || testserver.Str(resp.Data, "me", "user", "email") != ann.email {
		t.Fatalf("GET query: %d %s", resp.Status, resp.Raw)
	}
	for _, q := range []string{
		`mutation { createWorkspace(input: {name: "over GET"}) { id } }`,
		`mutation { logOut }`,
		`mutation { createToken(input: {name: "t", scopes: [READ]}) { secret } }`,
	} {
		before := identityState(t, srv)
		resp := get(q)
		if resp.Status != http.StatusMethodNotAllowed {
			t.Errorf("%s over GET: status %d, want 405", q, resp.Status)
		}
		if code := resp.ErrorCode(t); code != "BAD_USER_INPUT" {
			t.Errorf("%s over GET: code %s", q, code)
		}
		if identityState(t, srv) != before {
			t.Errorf("%s over GET changed the store", q)
		}
	}
	srv.Platform(t, ann.session, `{ me { kind } }`, nil).OK(t)
}
