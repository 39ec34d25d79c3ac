package restkit

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
)

// OpenAPI builds the OpenAPI 3.1 document of the dialects from their route tables: one path
// item per route path, the path wildcards as path parameters, the dialect's Headers and the
// route's Params, and JSON schemas of the bodies (struct fields by their json names; a `doc`
// tag describes a field, `enum:"a,b"` lists its values). A route made with Handle is
// documented from its In and Out types: the query fields of In as parameters, the rest as the
// body, required as Handle decides it (see Handle). Other routes are documented from their
// Body and Response values, where only `required:"true"` marks a field required. Each
// dialect's error body is the default response. A NotImplemented route is marked
// x-gqlbase-unavailable, so readers can tell it from the routes gqlbase serves. A Handle
// route's request body says the size limit it is read with.
func OpenAPI(title, version, description string, dialects ...*Dialect) map[string]any {
	paths := map[string]map[string]any{}
	var tags []map[string]any
	ops := map[string]int{}
	for _, d := range dialects {
		tags = append(tags, map[string]any{"name": d.Name, "description": d.Title + ". " + d.Description})
		for i := range d.Routes {
			rt := &d.Routes[i]
			item := paths[rt.Path]
			if item == nil {
				item = map[string]any{}
				paths[rt.Path] = item
			}
			op := operation(d, rt)
			id := operationID(d.Name, rt)
			if n := ops[id]; n > 0 {
				op["operationId"] = id + strings.Repeat("_", n)
			} else {
				op["operationId"] = id
			}
			ops[id]++
			item[strings.ToLower(rt.Method)] = op
		}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": title, "version": version, "description": description},
		"tags":    tags,
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer",
					"description": "a gqlbase token or session: Authorization: Bearer <token> (Token and JWT work as well)"},
			},
		},
	}
}

var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

func operationID(dialect string, rt *Route) string {
	name := rt.Summary
	if name == "" {
		name = rt.Method + " " + rt.Path
	}
	var b strings.Builder
	b.WriteString(dialect)
	up := true
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up {
				b.WriteString(strings.ToUpper(string(r)))
				up = false
			} else {
				b.WriteRune(r)
			}
		default:
			up = true
		}
	}
	return b.String()
}

func operation(d *Dialect, rt *Route) map[string]any {
	op := map[string]any{"tags": []string{d.Name}, "summary": rt.Summary}
	if rt.Description != "" {
		op["description"] = rt.Description
	}
	var b *binding
	if rt.Op != nil {
		b = rt.Op.input()
	}
	var params []map[string]any
	for _, m := range wildcard.FindAllStringSubmatch(rt.Path, -1) {
		pm := map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}}
		if rt.NotImplemented { // the 501 answer does not read it
			pm["description"] = "not read: the route answers 501"
		}
		for _, p := range rt.Params { // a route without Op documents its wildcards here
			if p.In == "path" && p.Name == m[1] && p.Description != "" {
				pm["description"] = p.Description
			}
		}
		if b != nil {
			for _, p := range b.params {
				if p.in == "path" && p.name == m[1] {
					pm["schema"] = TypeSchema(p.typ)
					if p.doc != "" {
						pm["description"] = p.doc
					}
				}
			}
		}
		params = append(params, pm)
	}
	var extra []Param
	if !rt.Public {
		extra = append(extra, d.Headers...)
	}
	extra = append(extra, rt.Params...)
	for _, p := range extra {
		if p.In == "path" {
			continue // documented with the path's wildcards above
		}
		in := p.In
		if in == "" {
			in = "query"
		}
		typ := p.Type
		if typ == "" {
			typ = "string"
		}
		pm := map[string]any{"name": p.Name, "in": in, "schema": map[string]any{"type": typ}}
		if p.Description != "" {
			pm["description"] = p.Description
		}
		if p.Required {
			pm["required"] = true
		}
		params = append(params, pm)
	}
	if b != nil {
		for _, p := range b.params {
			if p.in != "query" {
				continue
			}
			pm := map[string]any{"name": p.name, "in": "query", "schema": TypeSchema(p.typ)}
			if p.doc != "" {
				pm["description"] = p.doc
			}
			if p.required {
				pm["required"] = true
			}
			params = append(params, pm)
		}
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	switch {
	case b != nil && b.body:
		op["requestBody"] = map[string]any{"required": !rt.AllowEmpty && !d.Decode.AllowEmpty,
			"description": bodyLimit(d, rt),
			"content":     map[string]any{"application/json": map[string]any{"schema": TypeSchema(b.t)}}}
	case b == nil && rt.Body != nil:
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": Schema(reflect.TypeOf(rt.Body))}}}
	}
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	switch {
	case rt.NotImplemented:
		status = http.StatusNotImplemented
		ok = map[string]any{"description": "not available in gqlbase"}
		op["x-gqlbase-unavailable"] = true
	case rt.ResponseType != "":
		ok["content"] = map[string]any{rt.ResponseType: map[string]any{"schema": map[string]any{"type": "string"}}}
	case rt.Op != nil && rt.Op.output() == writtenType: // the handler wrote it: no JSON
	case rt.Op != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": TypeSchema(rt.Op.output())}}
	case rt.Response != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": Schema(reflect.TypeOf(rt.Response))}}
	}
	responses := map[string]any{itoa(status): ok}
	if d.ErrorBody != nil {
		responses["default"] = map[string]any{"description": "an error, in the dialect's envelope",
			"content": map[string]any{"application/json": map[string]any{"schema": Schema(reflect.TypeOf(d.ErrorBody))}}}
	}
	op["responses"] = responses
	if !rt.Public {
		op["security"] = []map[string]any{{"bearer": []string{}}}
	}
	return op
}

// bodyLimit says how large a Handle route's JSON body may be (what DecodeJSON enforces).
func bodyLimit(d *Dialect, rt *Route) string {
	max := d.Decode.MaxBytes
	if rt.MaxBody > 0 {
		max = rt.MaxBody
	}
	if max <= 0 {
		max = DefaultMaxBody
	}
	size := itoa(int(max)) + " bytes"
	if max%(1<<20) == 0 {
		size = itoa(int(max>>20)) + " MiB"
	}
	return "JSON, at most " + size + " (larger bodies answer 413)"
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage(nil))
	numType  = reflect.TypeOf(json.Number(""))
	// writtenType is the Out of handlers that write their own response.
	writtenType = reflect.TypeFor[Written]()
)

// Schema is the JSON schema of a Go type, for the Body and Response values of routes not made
// with Handle: only fields tagged `required:"true"` are required.
func Schema(t reflect.Type) map[string]any {
	return schemaOf(t, &schemaCtx{seen: map[reflect.Type]bool{}})
}

// TypeSchema is the JSON schema of a Go type with the required rule of Handle: a field is
// required unless it is a pointer, has omitempty, or says `required:"false"`.
func TypeSchema(t reflect.Type) map[string]any {
	return schemaOf(t, &schemaCtx{seen: map[reflect.Type]bool{}, infer: true})
}

type schemaCtx struct {
	seen  map[reflect.Type]bool
	infer bool
}

// schemaTeller is a type that documents its own JSON schema (custom JSON forms).
type schemaTeller interface{ JSONSchema() map[string]any }

var schemaTellerType = reflect.TypeOf((*schemaTeller)(nil)).Elem()

func schemaOf(t reflect.Type, seen *schemaCtx) map[string]any {
	if t == nil {
		return map[string]any{}
	}
	if t.Kind() != reflect.Pointer && t.Implements(schemaTellerType) {
		return reflect.Zero(t).Interface().(schemaTeller).JSONSchema()
	}
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case rawType:
		return map[string]any{}
	case numType:
		return map[string]any{"type": "number"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := schemaOf(t.Elem(), seen)
		if typ, ok := s["type"].(string); ok {
			s["type"] = []string{typ, "null"}
		}
		return s
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), seen)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), seen)}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if seen.seen[t] {
			return map[string]any{"type": "object"}
		}
		seen.seen[t] = true
		defer delete(seen.seen, t)
		props := map[string]any{}
		var required []string
		addFields(t, seen, props, &required)
		s := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			sort.Strings(required)
			s["required"] = required
		}
		return s
	}
	return map[string]any{}
}

func addFields(t reflect.Type, seen *schemaCtx, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(ft, seen, props, required)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		s := schemaOf(f.Type, seen)
		if doc := f.Tag.Get("doc"); doc != "" {
			s["description"] = doc
		}
		if e := f.Tag.Get("enum"); e != "" {
			s["enum"] = strings.Split(e, ",")
		}
		props[name] = s
		if seen.infer && inferRequired(f, opts) || !seen.infer && f.Tag.Get("required") == "true" {
			*required = append(*required, name)
		}
	}
}

// DocumentHandler serves a built document as JSON.
func DocumentHandler(doc map[string]any) http.Handler {
	body, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic("restkit: OpenAPI document does not encode: " + err.Error())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		WriteRawJSON(w, http.StatusOK, body)
	})
}
