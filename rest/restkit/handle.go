package restkit

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/gqlbase/gqlbase"
)

// Request is what a typed handler gets besides its input: the HTTP request, whose context is
// the one the dialect's Authenticate hook returned (the same as the handler's ctx), and the
// response's header for handlers that set one.
type Request struct {
	*http.Request
	w http.ResponseWriter
}

// ResponseHeader is the header of the response the handler's result will be written to.
func (r *Request) ResponseHeader() http.Header { return r.w.Header() }

// Writer is the response itself, for a handler that writes its answer (a CSV or SQL stream,
// a redirect) and returns Written.
func (r *Request) Writer() http.ResponseWriter { return r.w }

// Written is the result of a handler that wrote its response through Request.Writer: Handle
// writes nothing more. The route's ResponseType documents what it wrote.
type Written struct{}

// Op is a typed route handler made by Handle. Its input and output types are also what the
// OpenAPI document shows for the route, so the document says what the handler accepts.
type Op interface {
	serve(d *Dialect, rt *Route, w http.ResponseWriter, r *http.Request) error
	input() *binding
	output() reflect.Type
}

type op[In, Out any] struct {
	fn func(context.Context, *Request, In) (Out, error)
	b  *binding
}

// Handle makes a route handler from a typed function. Before fn runs, the request is decoded
// into In:
//
//   - fields tagged `path:"name"` take the path wildcard, fields tagged `query:"name"` the
//     query parameter (string, bool, integer and float kinds, pointers to them, and slices of
//     them for repeated query parameters); such fields must be `json:"-"`, so a body cannot set
//     them. A path value that is not of the field's type is NOT_FOUND; a query value,
//     BAD_USER_INPUT naming the parameter. `required:"true"` makes a query parameter required.
//   - every other field is read from the JSON body (with the dialect's size limit, or the
//     route's MaxBody, and its unknown-field policy; a route's AllowEmpty takes an empty body as
//     {}); an In without such fields reads no body.
//     A body field is required unless it is a pointer, has omitempty or says
//     `required:"false"`; a required field that is missing (or null, or an empty string) is
//     BAD_USER_INPUT naming it. `enum:"a,b"` limits a string field to those values.
//
// fn's result is encoded as JSON with the route's status (200 unless Status says otherwise);
// a Raw result is written as it is, and after Written nothing is. An error goes to the dialect's WriteError. Handle panics
// when In's tags are inconsistent, so a bad route fails at start-up.
func Handle[In, Out any](fn func(ctx context.Context, r *Request, in In) (Out, error)) Op {
	b, err := bind(reflect.TypeFor[In]())
	if err != nil {
		panic("restkit.Handle: " + err.Error())
	}
	return &op[In, Out]{fn: fn, b: b}
}

func (o *op[In, Out]) input() *binding      { return o.b }
func (o *op[In, Out]) output() reflect.Type { return reflect.TypeFor[Out]() }

func (o *op[In, Out]) serve(d *Dialect, rt *Route, w http.ResponseWriter, r *http.Request) error {
	var in In
	if err := o.b.decode(d, rt, r, reflect.ValueOf(&in).Elem()); err != nil {
		return err
	}
	out, err := o.fn(r.Context(), &Request{Request: r, w: w}, in)
	if err != nil {
		return err
	}
	status := rt.Status
	if status == 0 {
		status = http.StatusOK
	}
	if _, ok := any(out).(Written); ok {
		return nil
	}
	if raw, ok := any(out).(rawJSON); ok {
		WriteRawJSON(w, status, raw.rawJSON())
		return nil
	}
	WriteJSON(w, status, out)
	return nil
}

// Raw is a response body already encoded as JSON (rows spliced from the JSON Postgres built),
// documented as T.
type Raw[T any] []byte

func (b Raw[T]) rawJSON() []byte { return b }

// JSONSchema documents the body as T.
func (Raw[T]) JSONSchema() map[string]any { return TypeSchema(reflect.TypeFor[T]()) }

type rawJSON interface{ rawJSON() []byte }

// binding is what Handle learned about an input type.
type binding struct {
	t      reflect.Type
	params []paramField
	// body: the type has fields read from the JSON body.
	body     bool
	required []bodyField
	enums    []bodyField
}

type paramField struct {
	index    []int
	name, in string
	required bool
	doc      string
	typ      reflect.Type
}

type bodyField struct {
	index []int
	name  string
	enum  []string
}

func bind(t reflect.Type) (*binding, error) {
	b := &binding{t: t}
	if t.Kind() != reflect.Struct {
		b.body = true
		return b, nil
	}
	if err := b.fields(t, nil); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *binding) fields(t reflect.Type, prefix []int) error {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		for _, in := range []string{"path", "query"} {
			pname, ok := f.Tag.Lookup(in)
			if !ok {
				continue
			}
			if name != "-" {
				return fmt.Errorf("%s.%s has a %s tag: give it json:\"-\" so the body cannot set it", t, f.Name, in)
			}
			if !scalarParam(f.Type, in == "query") {
				return fmt.Errorf("%s.%s: a %s parameter cannot be a %s", t, f.Name, in, f.Type)
			}
			b.params = append(b.params, paramField{index: index, name: pname, in: in, typ: f.Type, doc: f.Tag.Get("doc"),
				required: in == "path" || f.Tag.Get("required") == "true"})
		}
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				return fmt.Errorf("%s.%s: embed structs by value", t, f.Name)
			}
			if ft.Kind() == reflect.Struct {
				if err := b.fields(ft, index); err != nil {
					return err
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		b.body = true
		if inferRequired(f, opts) {
			b.required = append(b.required, bodyField{index: index, name: name})
		}
		if e := f.Tag.Get("enum"); e != "" {
			b.enums = append(b.enums, bodyField{index: index, name: name, enum: strings.Split(e, ",")})
		}
	}
	return nil
}

// inferRequired is the rule of typed inputs and outputs: a field is required unless it is a
// pointer, has omitempty, or its tag says required:"false".
func inferRequired(f reflect.StructField, jsonOpts string) bool {
	switch f.Tag.Get("required") {
	case "true":
		return true
	case "false":
		return false
	}
	for _, o := range strings.Split(jsonOpts, ",") {
		if o == "omitempty" || o == "omitzero" {
			return false
		}
	}
	return f.Type.Kind() != reflect.Pointer
}

func scalarParam(t reflect.Type, slices bool) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	} else if slices && t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func (b *binding) decode(d *Dialect, rt *Route, r *http.Request, v reflect.Value) error {
	if b.body {
		opts := d.Decode
		if rt.MaxBody > 0 {
			opts.MaxBytes = rt.MaxBody
		}
		if rt.AllowEmpty {
			opts.AllowEmpty = true
		}
		if err := DecodeJSON(r, v.Addr().Interface(), opts); err != nil {
			return err
		}
		for _, f := range b.required {
			if missing(v.FieldByIndex(f.index)) {
				return gqlbase.BadInput("field %q is required", f.name).WithField(f.name)
			}
		}
		for _, f := range b.enums {
			if err := checkEnum(v.FieldByIndex(f.index), f); err != nil {
				return err
			}
		}
	}
	query := r.URL.Query()
	for _, p := range b.params {
		fv := v.FieldByIndex(p.index)
		if p.in == "path" {
			s := r.PathValue(p.name)
			if err := setScalar(fv, s); err != nil {
				return gqlbase.NotFound("%s %q not found", p.name, s)
			}
			continue
		}
		vals, ok := query[p.name]
		if !ok || len(vals) == 0 {
			if p.required {
				return gqlbase.BadInput("query parameter %s is required", p.name).WithField(p.name)
			}
			continue
		}
		if fv.Kind() == reflect.Slice {
			s := reflect.MakeSlice(fv.Type(), len(vals), len(vals))
			for i, val := range vals {
				if err := setScalar(s.Index(i), val); err != nil {
					return queryError(p, fv.Type().Elem())
				}
			}
			fv.Set(s)
			continue
		}
		if err := setScalar(fv, vals[len(vals)-1]); err != nil {
			return queryError(p, fv.Type())
		}
	}
	return nil
}

// missing reports a required body field that was absent: a nil pointer, slice, map or
// interface, or an empty string. Numbers, booleans and structs cannot tell absent from zero;
// give them a pointer type when absence matters.
func missing(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return v.IsNil()
	case reflect.String:
		return strings.TrimSpace(v.String()) == ""
	}
	return false
}

func checkEnum(v reflect.Value, f bodyField) error {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.String || (v.String() == "" && !slicesContains(f.enum, "")) {
		return nil
	}
	if !slicesContains(f.enum, v.String()) {
		return gqlbase.BadInput("%s must be one of %s, not %q", f.name, strings.Join(f.enum, ", "), v.String()).WithField(f.name)
	}
	return nil
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func queryError(p paramField, t reflect.Type) error {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return gqlbase.BadInput("query parameter %s must be %s", p.name, jsonKind(t.Kind().String())).WithField(p.name)
}

// setScalar parses s into v (allocating a pointer).
func setScalar(v reflect.Value, s string) error {
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		if err := setScalar(p.Elem(), s); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		x, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(x)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		x, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetUint(x)
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetFloat(x)
	default:
		return fmt.Errorf("unsupported kind %s", v.Kind())
	}
	return nil
}
