package rest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

func doRaw(t *testing.T, req *http.Request) (int, http.Header, map[string]json.RawMessage) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]json.RawMessage
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("status %d, body is not a JSON object: %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header, body
}

func TestGraphQLHTTPStatusAndDataEntry(t *testing.T) {
	srv := testserver.Start(t)
	post := func(accept, body string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		return req
	}
	cases := []struct {
		name, accept, body string
		status             int
		media              string
		data               bool
	}{
		{"query", "", `{"query":"{ __typename }"}`, 200, "application/json", true},
		{"parse error, json", "application/json", `{"query":"{"}`, 200, "application/json", false},
		{"validation error, json", "application/json", `{"query":"{ nope }"}`, 200, "application/json", false},
		{"parse error, graphql-response", "application/graphql-response+json", `{"query":"{"}`, 400, "application/graphql-response+json", false},
		{"apollo accept prefers graphql-response", "application/graphql-response+json,application/json;q=0.9", `{"query":"{ __typename }"}`, 200, "application/graphql-response+json", true},
		{"no query", "application/json", `{"variables":{}}`, 400, "application/json", false},
		{"body not JSON", "application/json", `{`, 400, "application/json", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, h, body := doRaw(t, post(c.accept, c.body))
			if status != c.status {
				t.Errorf("status %d, want %d (%v)", status, c.status, body)
			}
			if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, c.media) {
				t.Errorf("Content-Type %q, want %s", ct, c.media)
			}
			if _, ok := body["data"]; ok != c.data {
				t.Errorf("data entry present = %v, want %v (%v)", ok, c.data, body)
			}
			if !c.data && len(body["errors"]) == 0 {
				t.Errorf("no errors entry: %v", body)
			}
		})
	}
}

func TestGraphQLGETRunsQueriesOnly(t *testing.T) {
	srv := testserver.Start(t)
	get := func(query string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?query="+url.QueryEscape(query), nil)
		return req
	}
	if status, _, body := doRaw(t, get("{ __typename }")); status != 200 || string(body["data"]) != `{"__typename":"Query"}` {
		t.Errorf("GET query: status %d, body %v", status, body)
	}
	status, h, body := doRaw(t, get("mutation { __typename }"))
	if status != http.StatusMethodNotAllowed || h.Get("Allow") != "POST" {
		t.Errorf("GET mutation: status %d Allow %q, want 405 and Allow: POST (%v)", status, h.Get("Allow"), body)
	}
	if _, ok := body["data"]; ok {
		t.Errorf("GET mutation must not execute: %v", body)
	}
}

// A subscription sent over plain HTTP would stream until the client left, and then fail to
// encode a response that never came: it is a bad request, answered at once.
func TestGraphQLHTTPSubscriptionIsBadRequest(t *testing.T) {
	e := newDataEnv(t)
	client := &http.Client{Timeout: 10 * time.Second}
	sub := `subscription($d: ID!) { tableEvents(database: $d) { id } }`
	body, _ := json.Marshal(map[string]any{"query": sub, "variables": map[string]any{"d": e.db}})
	post, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", strings.NewReader(string(body)))
	post.Header.Set("Content-Type", "application/json")
	get, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/graphql?"+url.Values{"query": {sub}, "variables": {`{"d":"` + e.db + `"}`}}.Encode(), nil)
	for name, req := range map[string]*http.Request{"POST": post, "GET": get} {
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out struct {
			Data   json.RawMessage    `json:"data"`
			Errors []testserver.Error `json:"errors"`
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s: %s", name, raw)
		}
		if resp.StatusCode != http.StatusBadRequest || len(out.Errors) != 1 || !strings.Contains(out.Errors[0].Message, "WebSocket") ||
			out.Errors[0].Code() != "BAD_USER_INPUT" || out.Data != nil {
			t.Errorf("%s subscription: %d %s", name, resp.StatusCode, raw)
		}
	}
}
