package rest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestGraphQLRequestWithoutATransport: a request no GraphQL transport takes (a POST without a
// Content-Type or with one no transport reads, another method) is answered with what was
// wrong and the ways a request is sent, on the platform endpoint and a typed one.
func TestGraphQLRequestWithoutATransport(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	data := srv.Platform(t, srv.AdminToken, `mutation { createDatabase(input: {name: "d"}) { id } }`, nil).OK(t)
	typed := "/dbs/" + testserver.Str(data, "createDatabase", "id") + "/graphql"
	ways := []string{"application/json", "application/graphql-response+json", "multipart/form-data", "GET", "WebSocket"}

	for _, c := range []struct {
		name, method, ctype string
		status              int
		says                string
	}{
		{"no content type", http.MethodPost, "", http.StatusUnsupportedMediaType, "a POST without a Content-Type header"},
		{"text/plain", http.MethodPost, "text/plain; charset=utf-8", http.StatusUnsupportedMediaType, `Content-Type "text/plain" is not supported`},
		{"form", http.MethodPost, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, `Content-Type "application/x-www-form-urlencoded" is not supported`},
		{"PUT", http.MethodPut, "application/json", http.StatusMethodNotAllowed, "method PUT is not served here"},
	} {
		for _, path := range []string{"/graphql", typed} {
			req, _ := http.NewRequest(c.method, srv.URL+path, strings.NewReader(`{"query": "{ __typename }"}`))
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			req.Header.Set("Authorization", "Bearer "+srv.AdminToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var body struct {
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			if err := json.Unmarshal(raw, &body); err != nil || len(body.Errors) != 1 {
				t.Errorf("%s %s: want one GraphQL error, got %d %s", c.name, path, resp.StatusCode, raw)
				continue
			}
			msg := body.Errors[0].Message
			if resp.StatusCode != c.status || !strings.Contains(msg, c.says) || body.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
				t.Errorf("%s %s: want %d saying %q, got %d %s", c.name, path, c.status, c.says, resp.StatusCode, raw)
			}
			for _, w := range ways {
				if !strings.Contains(msg, w) {
					t.Errorf("%s %s: the message does not name %s: %s", c.name, path, w, msg)
				}
			}
			if strings.Contains(msg, "transport not supported") {
				t.Errorf("%s %s: %s", c.name, path, msg)
			}
		}
	}
}
