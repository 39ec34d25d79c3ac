package restkit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
)

type itemIn struct {
	ID    int64    `json:"-" path:"id" doc:"the item"`
	Limit *int     `json:"-" query:"limit"`
	Tags  []string `json:"-" query:"tag"`
	Must  string   `json:"-" query:"must" required:"true"`
	Name  string   `json:"name"`
	Kind  *string  `json:"kind,omitempty" enum:"a,b"`
	Note  string   `json:"note,omitempty"`
}

type itemOut struct {
	ID    int64    `json:"id"`
	Name  string   `json:"name"`
	Limit *int     `json:"limit"`
	Tags  []string `json:"tags,omitempty"`
}

type principalKey struct{}

func typedDialect(t *testing.T) (*Dialect, *[]error) {
	var errs []error
	d := &Dialect{Name: "demo", Prefix: "/demo", Decode: DecodeOptions{Unknown: RejectUnknown},
		Headers: []Param{{Name: "x-demo", In: "header"}},
		Authenticate: func(r *http.Request) (context.Context, error) {
			who := r.Header.Get("x-demo")
			if who == "" {
				return nil, gqlbase.Errorf(gqlbase.CodeUnauthenticated, "say who you are")
			}
			return context.WithValue(r.Context(), principalKey{}, who), nil
		},
		WriteError: func(w http.ResponseWriter, r *http.Request, err error) {
			errs = append(errs, err)
			e := Public(nil, r, err)
			WriteJSON(w, HTTPStatus(e.Code), map[string]string{"code": string(e.Code), "message": e.Message})
		},
	}
	d.Add(Route{Method: "POST", Path: "/{id}", Summary: "Put item", Status: 201,
		Op: Handle(func(ctx context.Context, r *Request, in itemIn) (itemOut, error) {
			if ctx.Value(principalKey{}) != "ann" || r.Context() != ctx {
				t.Errorf("handler context: %v", ctx.Value(principalKey{}))
			}
			r.ResponseHeader().Set("X-Seen", "yes")
			return itemOut{ID: in.ID, Name: in.Name, Limit: in.Limit, Tags: in.Tags}, nil
		})})
	d.Add(Route{Method: "GET", Path: "/{id}/raw", Summary: "Raw item",
		Op: Handle(func(ctx context.Context, r *Request, in struct {
			ID string `json:"-" path:"id"`
		}) (Raw[itemOut], error) {
			return Raw[itemOut](`{"id":1,"name":"` + in.ID + `"}`), nil
		})})
	return d, &errs
}

func serve(d *Dialect, rt *Route, method, target, who, body string) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	mux.Handle(rt.Method+" "+rt.Path, d.Handler(rt))
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if who != "" {
		r.Header.Set("x-demo", who)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, r)
	return rec
}

func TestHandleDecodesAndEncodes(t *testing.T) {
	d, _ := typedDialect(t)
	if d.Routes[0].Path != "/demo/{id}" || d.Routes[0].Body == nil || d.Routes[0].Response == nil {
		t.Fatalf("route: %+v", d.Routes[0])
	}
	rec := serve(d, &d.Routes[0], "POST", "/demo/7?limit=3&tag=x&tag=y&must=1", "ann", `{"name":"pen","kind":"a"}`)
	if rec.Code != 201 || rec.Header().Get("X-Seen") != "yes" ||
		strings.TrimSpace(rec.Body.String()) != `{"id":7,"name":"pen","limit":3,"tags":["x","y"]}` {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	rec = serve(d, &d.Routes[1], "GET", "/demo/pen/raw", "ann", "")
	if rec.Code != 200 || rec.Body.String() != `{"id":1,"name":"pen"}` {
		t.Fatalf("raw: %d %s", rec.Code, rec.Body)
	}
}

func TestHandleRefuses(t *testing.T) {
	d, errs := typedDialect(t)
	cases := []struct {
		target, who, body string
		code              gqlbase.Code
		message, field    string
	}{
		{"/demo/7?must=1", "", `{"name":"pen"}`, gqlbase.CodeUnauthenticated, "say who you are", ""},
		{"/demo/x?must=1", "ann", `{"name":"pen"}`, gqlbase.CodeNotFound, `id "x" not found`, ""},
		{"/demo/7", "ann", `{"name":"pen"}`, gqlbase.CodeBadUserInput, "query parameter must is required", "must"},
		{"/demo/7?must=1&limit=many", "ann", `{"name":"pen"}`, gqlbase.CodeBadUserInput, "query parameter limit must be an integer", "limit"},
		{"/demo/7?must=1", "ann", `{"kind":"a"}`, gqlbase.CodeBadUserInput, `field "name" is required`, "name"},
		{"/demo/7?must=1", "ann", `{"name":" "}`, gqlbase.CodeBadUserInput, `field "name" is required`, "name"},
		{"/demo/7?must=1", "ann", `{"name":"pen","kind":"c"}`, gqlbase.CodeBadUserInput, `kind must be one of a, b, not "c"`, "kind"},
		{"/demo/7?must=1", "ann", `{"name":"pen","ID":8}`, gqlbase.CodeBadUserInput, `unknown field "ID" in the request body`, "ID"},
		{"/demo/7?must=1", "ann", ``, gqlbase.CodeBadUserInput, "the request needs a JSON body", ""},
	}
	for _, c := range cases {
		*errs = nil
		rec := serve(d, &d.Routes[0], "POST", c.target, c.who, c.body)
		if len(*errs) != 1 {
			t.Errorf("%s %s: answered %d %s without an error", c.target, c.body, rec.Code, rec.Body)
			continue
		}
		e, _ := gqlbase.AsError((*errs)[0])
		if e == nil || e.Code != c.code || e.Message != c.message || e.Field != c.field {
			t.Errorf("%s %s: %#v, want %s %q (field %q)", c.target, c.body, e, c.code, c.message, c.field)
		}
	}
}

func TestHandleBadTagsPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a path field the body could set was accepted")
		}
	}()
	Handle(func(ctx context.Context, r *Request, in struct {
		ID string `path:"id"`
	}) (struct{}, error) {
		return struct{}{}, nil
	})
}

func TestHandleDocument(t *testing.T) {
	d, _ := typedDialect(t)
	doc := OpenAPI("t", "v", "d", d)
	b, _ := json.Marshal(doc["paths"].(map[string]map[string]any)["/demo/{id}"]["post"])
	got := string(b)
	for _, want := range []string{
		`{"description":"the item","in":"path","name":"id","required":true,"schema":{"type":"integer"}}`,
		`{"in":"header","name":"x-demo","schema":{"type":"string"}}`,
		`{"in":"query","name":"limit","schema":{"type":["integer","null"]}}`,
		`{"in":"query","name":"tag","schema":{"items":{"type":"string"},"type":"array"}}`,
		`{"in":"query","name":"must","required":true,"schema":{"type":"string"}}`,
		`"requestBody":{"content":{"application/json":{"schema":{"properties":{"kind":{"enum":["a","b"],"type":["string","null"]},"name":{"type":"string"},"note":{"type":"string"}},"required":["name"],"type":"object"}}},"description":"JSON, at most 1 MiB (larger bodies answer 413)","required":true}`,
		`"201":{"content":{"application/json":{"schema":{"properties":{"id":{"type":"integer"},"limit":{"type":["integer","null"]},"name":{"type":"string"},"tags":{"items":{"type":"string"},"type":"array"}},"required":["id","name"],"type":"object"}}}`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("document lacks %s\n%s", want, got)
		}
	}
	raw, _ := json.Marshal(doc["paths"].(map[string]map[string]any)["/demo/{id}/raw"]["get"])
	if !strings.Contains(string(raw), `"required":["id","name"]`) || strings.Contains(string(raw), "requestBody") {
		t.Errorf("raw route: %s", raw)
	}
}

// TestHookAndLegacyRoutes: the Authenticate hook runs before hand-written handlers too, and
// never before Public routes.
func TestHookAndLegacyRoutes(t *testing.T) {
	d, errs := typedDialect(t)
	var seen any
	d.Add(
		Route{Method: "GET", Path: "/legacy", Handle: func(w http.ResponseWriter, r *http.Request) error {
			seen = r.Context().Value(principalKey{})
			WriteJSON(w, 200, map[string]bool{"ok": true})
			return nil
		}},
		Route{Method: "GET", Path: "/open", Public: true, Handle: func(w http.ResponseWriter, r *http.Request) error {
			WriteJSON(w, 200, map[string]bool{"ok": true})
			return nil
		}},
	)
	if rec := serve(d, &d.Routes[2], "GET", "/demo/legacy", "", ""); rec.Code != 401 || len(*errs) != 1 {
		t.Errorf("legacy route without credentials: %d %s", rec.Code, rec.Body)
	}
	if rec := serve(d, &d.Routes[2], "GET", "/demo/legacy", "ann", ""); rec.Code != 200 || seen != "ann" {
		t.Errorf("legacy route: %d %s, principal %v", rec.Code, rec.Body, seen)
	}
	if rec := serve(d, &d.Routes[3], "GET", "/demo/open", "", ""); rec.Code != 200 {
		t.Errorf("public route: %d %s", rec.Code, rec.Body)
	}
	defer func() {
		if recover() == nil {
			t.Error("a route with both Op and Handle was accepted")
		}
	}()
	d.Add(Route{Method: "GET", Path: "/both", Op: d.Routes[0].Op, Handle: d.Routes[2].Handle})
}

// TestHandleWrittenAndAllowEmpty: a handler that wrote its own answer returns Written and
// Handle adds nothing (nor documents a JSON body); a route's AllowEmpty takes an empty body
// as {} where the dialect refuses empty bodies.
func TestHandleWrittenAndAllowEmpty(t *testing.T) {
	d, _ := typedDialect(t)
	type noteIn struct {
		ID   string  `json:"-" path:"id"`
		Note *string `json:"note,omitempty"`
	}
	d.Add(
		Route{Method: "GET", Path: "/{id}/text", Summary: "Text item", ResponseType: "text/plain",
			Op: Handle(func(ctx context.Context, r *Request, in struct {
				ID string `json:"-" path:"id"`
			}) (Written, error) {
				r.Writer().Header().Set("Content-Type", "text/plain")
				_, _ = r.Writer().Write([]byte("item " + in.ID))
				return Written{}, nil
			})},
		Route{Method: "PUT", Path: "/{id}/note", Summary: "Note item", AllowEmpty: true,
			Op: Handle(func(ctx context.Context, r *Request, in noteIn) (itemOut, error) {
				return itemOut{Name: "note:" + fmtPtr(in.Note)}, nil
			})},
		Route{Method: "PATCH", Path: "/{id}/note", Summary: "Change note",
			Op: Handle(func(ctx context.Context, r *Request, in noteIn) (itemOut, error) {
				return itemOut{Name: "note:" + fmtPtr(in.Note)}, nil
			})},
	)
	if rec := serve(d, &d.Routes[2], "GET", "/demo/7/text", "ann", ""); rec.Code != 200 || rec.Body.String() != "item 7" {
		t.Errorf("written: %d %q", rec.Code, rec.Body)
	}
	if rec := serve(d, &d.Routes[3], "PUT", "/demo/7/note", "ann", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"note:"`) {
		t.Errorf("empty body with AllowEmpty: %d %s", rec.Code, rec.Body)
	}
	if rec := serve(d, &d.Routes[3], "PUT", "/demo/7/note", "ann", `{"note":"x"}`); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"note:x"`) {
		t.Errorf("body with AllowEmpty: %d %s", rec.Code, rec.Body)
	}
	if rec := serve(d, &d.Routes[4], "PATCH", "/demo/7/note", "ann", ""); rec.Code != 400 || !strings.Contains(rec.Body.String(), "needs a JSON body") {
		t.Errorf("empty body without AllowEmpty: %d %s", rec.Code, rec.Body)
	}
	doc := OpenAPI("t", "v", "d", d)
	b, _ := json.Marshal(doc["paths"].(map[string]map[string]any)["/demo/{id}/text"]["get"])
	if !strings.Contains(string(b), `"text/plain":{"schema":{"type":"string"}}`) || strings.Contains(string(b), "requestBody") ||
		strings.Contains(string(b), `"200":{"content":{"application/json"`) {
		t.Errorf("written route's document: %s", b)
	}
}

func fmtPtr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
