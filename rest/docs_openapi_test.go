package rest_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestOpenAPIDescribesEveryOperation walks the served /docs/openapi.json: every operation
// gqlbase serves has a summary and a description, every parameter (path, query, header) a
// description and a type, and a success response that says what it returns (a schema of
// the JSON body, or the content type of another body; a redirect has none). A route that
// answers 501 is marked so, its summary ends in "(not available)" and its description says
// what is missing.
func TestOpenAPIDescribesEveryOperation(t *testing.T) {
	srv := testserver.Start(t)
	r := dialectDo(t, srv, "GET", "/docs/openapi.json", "", nil, nil)
	if r.status != 200 {
		t.Fatalf("document: %d %.200s", r.status, r.raw)
	}
	paths, _ := r.body["paths"].(map[string]any)
	served, unserved := 0, 0
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range sortedKeys(item) {
			op, _ := item[method].(map[string]any)
			where := strings.ToUpper(method) + " " + path
			summary, _ := op["summary"].(string)
			description, _ := op["description"].(string)
			responses, _ := op["responses"].(map[string]any)
			if op["x-gqlbase-unavailable"] == true {
				unserved++
				if !strings.HasSuffix(summary, " (not available)") {
					t.Errorf("%s answers 501, but its summary %q does not end in (not available)", where, summary)
				}
				if !strings.Contains(description, "not available in gqlbase") {
					t.Errorf("%s answers 501, but its description %q does not say what is missing", where, description)
				}
				if responses["501"] == nil {
					t.Errorf("%s is marked unavailable without a 501 response", where)
				}
				continue
			}
			served++
			if strings.TrimSpace(summary) == "" || strings.Contains(summary, "(not available)") {
				t.Errorf("%s: summary %q", where, summary)
			}
			if len(strings.TrimSpace(description)) < 20 {
				t.Errorf("%s (%s): no description, or too short to say what it does: %q", where, summary, description)
			}
			if responses["501"] != nil {
				t.Errorf("%s is served but documents a 501 response", where)
			}
			params, _ := op["parameters"].([]any)
			seen := map[string]bool{}
			for _, p := range params {
				pm, _ := p.(map[string]any)
				name, _ := pm["name"].(string)
				in, _ := pm["in"].(string)
				seen[in+":"+name] = true
				if d, _ := pm["description"].(string); strings.TrimSpace(d) == "" {
					t.Errorf("%s: %s parameter %s has no description", where, in, name)
				}
				schema, _ := pm["schema"].(map[string]any)
				if schema["type"] == nil {
					t.Errorf("%s: %s parameter %s has no type", where, in, name)
				}
			}
			for _, seg := range strings.Split(path, "/") {
				if strings.HasPrefix(seg, "{") && !seen["path:"+strings.Trim(seg, "{}")] {
					t.Errorf("%s: path parameter %s is not documented", where, seg)
				}
			}
			checkSuccess(t, where, responses)
		}
	}
	// the counts guard the walk itself: a document it could not read would pass emptily
	if served < 50 || unserved < 40 {
		t.Errorf("walked %d served and %d unserved operations", served, unserved)
	}
}

// checkSuccess fails when an operation's success response does not say what it returns.
func checkSuccess(t *testing.T, where string, responses map[string]any) {
	t.Helper()
	for code, v := range responses {
		if code == "default" || !strings.HasPrefix(code, "2") && !strings.HasPrefix(code, "3") {
			continue
		}
		resp, _ := v.(map[string]any)
		content, _ := resp["content"].(map[string]any)
		if len(content) == 0 {
			if !strings.HasPrefix(code, "3") {
				t.Errorf("%s: response %s has no content", where, code)
			}
			return
		}
		for typ, c := range content {
			schema, _ := c.(map[string]any)["schema"].(map[string]any)
			if typ == "application/json" && schema["type"] == nil {
				t.Errorf("%s: response %s has no JSON schema: %v", where, code, schema)
			}
		}
		return
	}
	t.Errorf("%s: no success response", where)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
