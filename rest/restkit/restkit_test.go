package restkit

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
)

type sample struct {
	Name  string         `json:"name" required:"true" doc:"the name"`
	Count *int           `json:"count,omitempty"`
	Tags  []string       `json:"tags"`
	Extra map[string]any `json:"extra"`
	Skip  string         `json:"-"`
	inner
}

type inner struct {
	Flag bool `json:"flag"`
}

func request(body, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func TestDecodeJSON(t *testing.T) {
	var s sample
	if err := DecodeJSON(request(`{"name":"a","count":2,"extra":{"n":1.5},"flag":true,"other":1}`, "application/json"), &s, DecodeOptions{}); err != nil {
		t.Fatal(err)
	}
	if s.Name != "a" || *s.Count != 2 || s.Extra["n"] != json.Number("1.5") || !s.Flag {
		t.Fatalf("decoded %+v", s)
	}
	cases := []struct {
		body, ct string
		opts     DecodeOptions
		code     gqlbase.Code
		contains string
	}{
		{`{"name":"a","other":1}`, "", DecodeOptions{Unknown: RejectUnknown}, gqlbase.CodeBadUserInput, `unknown field "other"`},
		{`{"name":`, "", DecodeOptions{}, gqlbase.CodeBadUserInput, "not complete JSON"},
		{`{"name":1}`, "", DecodeOptions{}, gqlbase.CodeBadUserInput, `field "name" must be a string`},
		{`[1]`, "", DecodeOptions{}, gqlbase.CodeBadUserInput, "must be an object, not array"},
		{`{} {}`, "", DecodeOptions{}, gqlbase.CodeBadUserInput, "more than one JSON value"},
		{`{"x}`, "", DecodeOptions{}, gqlbase.CodeBadUserInput, ""},
		{``, "", DecodeOptions{}, gqlbase.CodeBadUserInput, "needs a JSON body"},
		{`{}`, "application/xml", DecodeOptions{}, gqlbase.CodeBadUserInput, "Content-Type"},
		{`{"name":"` + strings.Repeat("x", 100) + `"}`, "", DecodeOptions{MaxBytes: 50}, gqlbase.CodePayloadTooLarge, "larger than 50 bytes"},
	}
	for _, c := range cases {
		var s sample
		err := DecodeJSON(request(c.body, c.ct), &s, c.opts)
		e, ok := gqlbase.AsError(err)
		if !ok || e.Code != c.code || !strings.Contains(e.Message, c.contains) {
			t.Errorf("%q (%s): %v", c.body, c.ct, err)
		}
	}
	if err := DecodeJSON(request(``, ""), &s, DecodeOptions{AllowEmpty: true}); err != nil {
		t.Errorf("empty body allowed: %v", err)
	}
}

func TestPaging(t *testing.T) {
	lim := PageLimits{Default: 100, Max: 1000}
	p, err := CheckPage(nil, nil, lim)
	if err != nil || p.Limit != 100 || p.Offset != 0 {
		t.Fatal(p, err)
	}
	for _, c := range [][2]int{{-1, 0}, {1001, 0}, {1, -1}, {1, 2_000_000}} {
		l, o := c[0], c[1]
		if _, err := CheckPage(&l, &o, lim); gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("page %v: %v", c, err)
		}
	}
	r := httptest.NewRequest("GET", "/x?limit=5&bad=x", nil)
	if n, err := QueryInt(r, "limit", 1, 0, 10); n != 5 || err != nil {
		t.Error(n, err)
	}
	if n, err := QueryInt(r, "missing", 7, 0, 10); n != 7 || err != nil {
		t.Error(n, err)
	}
	if _, err := QueryInt(r, "bad", 1, 0, 10); err == nil {
		t.Error("bad integer accepted")
	}
}

func TestSchema(t *testing.T) {
	s := Schema(reflect.TypeOf(sample{}))
	b, _ := json.Marshal(s)
	want := `{"properties":{"count":{"type":["integer","null"]},"extra":{"additionalProperties":{},"type":"object"},` +
		`"flag":{"type":"boolean"},"name":{"description":"the name","type":"string"},"tags":{"items":{"type":"string"},"type":"array"}},` +
		`"required":["name"],"type":"object"}`
	if string(b) != want {
		t.Errorf("schema\n got %s\nwant %s", b, want)
	}
}

func TestDialectHandlerAndDocument(t *testing.T) {
	var gotErr error
	d := &Dialect{
		Name: "demo", Title: "Demo", ErrorBody: struct {
			Message string `json:"message"`
		}{},
		WriteError: func(w http.ResponseWriter, r *http.Request, err error) {
			gotErr = err
			WriteJSON(w, 418, map[string]string{"message": Public(nil, r, err).Message})
		},
		Routes: []Route{
			{Method: "GET", Path: "/demo/{id}", Summary: "Get demo", Response: sample{}, Handle: func(w http.ResponseWriter, r *http.Request) error {
				return errors.New("secret detail")
			}},
			{Method: "POST", Path: "/demo/{id}", Summary: "Get demo", Body: sample{}, Public: true, Handle: NotImplemented("demos")},
		},
	}
	rec := httptest.NewRecorder()
	d.Handler(&d.Routes[0]).ServeHTTP(rec, httptest.NewRequest("GET", "/demo/1", nil))
	if rec.Code != 418 || strings.Contains(rec.Body.String(), "secret") || gotErr == nil {
		t.Errorf("internal error leaked or not written: %d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	d.Handler(&d.Routes[1]).ServeHTTP(rec, httptest.NewRequest("POST", "/demo/1", nil))
	if e, _ := gqlbase.AsError(gotErr); e == nil || e.Code != gqlbase.CodeNotImplemented {
		t.Errorf("not implemented: %v", gotErr)
	}
	doc := OpenAPI("t", "v", "d", d)
	paths := doc["paths"].(map[string]map[string]any)
	get := paths["/demo/{id}"]["get"].(map[string]any)
	post := paths["/demo/{id}"]["post"].(map[string]any)
	if get["operationId"] == post["operationId"] {
		t.Error("operation ids repeat")
	}
	if get["security"] == nil || post["security"] != nil || post["requestBody"] == nil || post["responses"].(map[string]any)["200"] == nil {
		t.Errorf("operations: %v %v", get, post)
	}
	if params := get["parameters"].([]map[string]any); params[0]["name"] != "id" || params[0]["in"] != "path" {
		t.Errorf("path parameter: %v", params)
	}
	if get["x-gqlbase-unavailable"] != nil || post["x-gqlbase-unavailable"] != nil {
		t.Errorf("served routes marked unavailable: %v %v", get, post)
	}
}

// TestOpenAPIUnavailable: a NotImplemented route is marked, documents its 501, and its path
// parameters say they are not read; a Handle route's body says its size limit.
func TestOpenAPIUnavailable(t *testing.T) {
	type in struct {
		ID   int64  `json:"-" path:"id" doc:"the demo"`
		Name string `json:"name"`
	}
	d := &Dialect{Name: "demo", Decode: DecodeOptions{MaxBytes: 2 << 20}}
	d.Add(
		Route{Method: "GET", Path: "/demo/{id}", Summary: "demos (not available)", Description: "no demos", NotImplemented: true,
			Public: true, Handle: NotImplemented("demos")},
		Route{Method: "POST", Path: "/demo/{id}", Summary: "Make demo", Op: Handle(func(ctx context.Context, r *Request, v in) (struct{}, error) {
			return struct{}{}, nil
		})},
		Route{Method: "PUT", Path: "/demo/{id}", Summary: "Bulk demo", MaxBody: 1500, Op: Handle(func(ctx context.Context, r *Request, v in) (struct{}, error) {
			return struct{}{}, nil
		})},
	)
	paths := OpenAPI("t", "v", "d", d)["paths"].(map[string]map[string]any)
	get := paths["/demo/{id}"]["get"].(map[string]any)
	if get["x-gqlbase-unavailable"] != true || get["responses"].(map[string]any)["501"] == nil || get["description"] != "no demos" {
		t.Errorf("unavailable route: %v", get)
	}
	if p := get["parameters"].([]map[string]any)[0]; p["description"] == nil {
		t.Errorf("a 501 route's path parameter has no description: %v", p)
	}
	post := paths["/demo/{id}"]["post"].(map[string]any)
	if p := post["parameters"].([]map[string]any)[0]; p["description"] != "the demo" {
		t.Errorf("path parameter's doc tag: %v", p)
	}
	for method, want := range map[string]string{"post": "at most 2 MiB", "put": "at most 1500 bytes"} {
		body := paths["/demo/{id}"][method].(map[string]any)["requestBody"].(map[string]any)
		if desc, _ := body["description"].(string); !strings.Contains(desc, want) {
			t.Errorf("%s body: %q, want %q", method, desc, want)
		}
	}
}
