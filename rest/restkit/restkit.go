// Package restkit is what gqlbase's REST dialects share: a dialect is one route table (method
// and path to handler, with what the OpenAPI document says about it) plus its own error
// envelope; restkit turns routes into http.Handlers, decodes JSON bodies with size limits and
// a policy for unknown fields, reads paging parameters, and builds the OpenAPI 3.1 document of
// every dialect from the route tables. Handle makes a typed handler whose input and output
// types are also what the document shows.
//
// Handlers decode the dialect's request, call the resolvers (which authorize, validate and
// store) and encode the dialect's response. No SQL and no business rules live here.
package restkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/gqlbase/gqlbase"
)

// HandlerFunc serves one route. An error it returns is written in the dialect's envelope (by
// Dialect.WriteError); a handler that already wrote a response returns nil.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Param documents a path, query or header parameter.
type Param struct {
	Name        string
	In          string // "query" (default), "header", or "path" to describe a wildcard of a route without Op
	Description string
	Required    bool
	Type        string // JSON schema type; default "string"
}

// Route is one entry of a dialect's route table.
type Route struct {
	Method string
	// Path is a net/http ServeMux path with {name} wildcards, which are also the OpenAPI path
	// parameters.
	Path        string
	Summary     string
	Description string
	Params      []Param
	// Body and Response are values of the request and response types, for the document
	// (nil: no JSON body). Routes with an Op are documented from its types; Add sets these
	// from them, for readers of the table.
	Body     any
	Response any
	// ResponseType is the content type of a response that is not JSON ("text/csv", ...).
	ResponseType string
	// Status is the success status (default 200).
	Status int
	// Public routes need no credentials.
	Public bool
	// NotImplemented marks routes that answer 501 (documented so clients learn why).
	NotImplemented bool
	// MaxBody overrides the dialect's body limit for this route (bulk writes).
	MaxBody int64
	// AllowEmpty accepts an empty body on this route (as if it were {}), whatever the
	// dialect's Decode says: for routes whose body only adds to what the path says.
	AllowEmpty bool
	// Op is the typed handler (made by Handle); routes without one use Handle.
	Op     Op
	Handle HandlerFunc
}

// Dialect is a REST dialect: its route table, how it authenticates and decodes requests, and
// its error envelope.
type Dialect struct {
	// Name is the dialect's tag in the document ("botpress").
	Name        string
	Title       string
	Description string
	// Prefix is where the dialect is mounted ("/v1/tables"): Add puts it before each path.
	Prefix string
	Routes []Route
	// Authenticate runs before every route that is not Public: it turns the request into the
	// context the handler runs with (a principal, the dialect's names of things such as a bot
	// id), or refuses it with an error written by WriteError. Nil: the request's own context.
	Authenticate func(r *http.Request) (context.Context, error)
	// Decode is the dialect's body policy for the routes made with Handle: size limit
	// (MaxBytes; a route's MaxBody overrides it), unknown fields, empty bodies.
	Decode DecodeOptions
	// Headers are documented on every route that is not Public (x-bot-id, ...).
	Headers []Param
	// WriteError writes err as the dialect's error response.
	WriteError func(w http.ResponseWriter, r *http.Request, err error)
	// ErrorBody is an example of the dialect's error body, for the document.
	ErrorBody any
}

// Add appends routes to the table, their paths under the dialect's Prefix. A dialect's
// resources each have a function that adds their routes.
func (d *Dialect) Add(routes ...Route) {
	for _, rt := range routes {
		rt.Path = d.Prefix + rt.Path
		if rt.Op != nil && rt.Handle != nil {
			panic("restkit: route " + rt.Method + " " + rt.Path + " has both Op and Handle")
		}
		if rt.Op != nil { // the types, for whoever reads the table (the document uses Op itself)
			if b := rt.Op.input(); b.body {
				rt.Body = reflect.Zero(b.t).Interface()
			}
			rt.Response = reflect.Zero(rt.Op.output()).Interface()
		}
		d.Routes = append(d.Routes, rt)
	}
}

// Handler turns a route into an http.Handler: the dialect's Authenticate hook (unless the
// route is Public), then the route's handler; errors are written in the dialect's envelope.
func (d *Dialect) Handler(rt *Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d.Authenticate != nil && !rt.Public {
			ctx, err := d.Authenticate(r)
			if err != nil {
				d.WriteError(w, r, err)
				return
			}
			r = r.WithContext(ctx)
		}
		var err error
		if rt.Op != nil {
			err = rt.Op.serve(d, rt, w, r)
		} else {
			err = rt.Handle(w, r)
		}
		if err != nil {
			d.WriteError(w, r, err)
		}
	})
}

// Public reports the caller-facing error inside err, or an INTERNAL error (logged with the
// request id) for anything else.
func Public(logger *slog.Logger, r *http.Request, err error) *gqlbase.Error {
	if e, ok := gqlbase.AsError(err); ok {
		return e
	}
	if errors.Is(err, r.Context().Err()) && r.Context().Err() != nil {
		return &gqlbase.Error{Code: gqlbase.CodeInternal, Message: "request cancelled"}
	}
	if logger != nil {
		logger.ErrorContext(r.Context(), "internal error", "error", err, "method", r.Method, "path", r.URL.Path)
	}
	return &gqlbase.Error{Code: gqlbase.CodeInternal, Message: "internal error"}
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := EncodeJSON(v)
	if err != nil {
		http.Error(w, `{"error":"response could not be encoded"}`, http.StatusInternalServerError)
		return
	}
	WriteRawJSON(w, status, body)
}

// EncodeJSON is the body WriteJSON writes: v as JSON without HTML escaping, with a newline.
func EncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteRawJSON writes an encoded JSON body.
func WriteRawJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Body limits.
const (
	DefaultMaxBody = 1 << 20
	// MaxBulkBody fits 1,000 rows of several kilobytes each.
	MaxBulkBody = 32 << 20
)

// Unknown says what DecodeJSON does with object keys the target type does not have.
type Unknown int

const (
	// IgnoreUnknown drops them (for dialects whose clients send fields gqlbase has no use
	// for).
	IgnoreUnknown Unknown = iota
	// RejectUnknown answers BAD_USER_INPUT naming the field.
	RejectUnknown
)

// DecodeOptions tune DecodeJSON.
type DecodeOptions struct {
	MaxBytes int64 // default DefaultMaxBody
	Unknown  Unknown
	// AllowEmpty accepts an empty body (dst stays as it is).
	AllowEmpty bool
}

// DecodeJSON reads a JSON body into dst: numbers inside interface values become
// json.Number. It answers PAYLOAD_TOO_LARGE for a body over the limit and BAD_USER_INPUT for
// a body that is not JSON, not of the expected shape, followed by more data, or (with
// RejectUnknown) carrying fields dst does not have.
func DecodeJSON(r *http.Request, dst any, opts DecodeOptions) error {
	max := opts.MaxBytes
	if max <= 0 {
		max = DefaultMaxBody
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json") && mt != "text/plain") {
			return gqlbase.BadInput("send the body as JSON (Content-Type: application/json), not %q", ct)
		}
	}
	if r.ContentLength > max {
		return tooLarge(max)
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return gqlbase.BadInput("the request body could not be read")
	}
	if int64(len(data)) > max {
		return tooLarge(max)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if opts.AllowEmpty {
			return nil
		}
		return gqlbase.BadInput("the request needs a JSON body")
	}
	return DecodeBytes(data, dst, opts.Unknown)
}

func tooLarge(max int64) error {
	return gqlbase.Errorf(gqlbase.CodePayloadTooLarge, "the request body is larger than %d bytes", max)
}

// DecodeBytes is DecodeJSON for a body already read.
func DecodeBytes(data []byte, dst any, unknown Unknown) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if unknown == RejectUnknown {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return gqlbase.BadInput("the request body holds more than one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return gqlbase.BadInput("the request body holds more than one JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return gqlbase.BadInput("the request body is not valid JSON (at byte %d): %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return gqlbase.BadInput("the request body must be %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)
		}
		return gqlbase.BadInput("field %q must be %s, not %s", field, jsonKind(typ.Type.Kind().String()), typ.Value).WithField(field)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return gqlbase.BadInput("the request body is cut short: it is not complete JSON")
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return gqlbase.BadInput("unknown field %q in the request body", name).WithField(name)
	}
	return gqlbase.BadInput("the request body does not have the expected shape: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "an array"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	}
	return "a " + goKind
}

// QueryInt reads an integer query parameter: def when absent, BAD_USER_INPUT when it is not
// an integer in [min, max].
func QueryInt(r *http.Request, name string, def, min, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, gqlbase.BadInput("query parameter %s must be an integer from %d to %d", name, min, max).WithField(name)
	}
	return n, nil
}

// Page is a limit/offset page request.
type Page struct {
	Limit  int
	Offset int
}

// PageLimits bound a dialect's pages.
type PageLimits struct {
	Default, Max, MaxOffset int
}

// CheckPage validates limit and offset given in a body (nil: defaults).
func CheckPage(limit, offset *int, lim PageLimits) (Page, error) {
	p := Page{Limit: lim.Default}
	if limit != nil {
		if *limit < 0 || *limit > lim.Max {
			return p, gqlbase.BadInput("limit must be between 0 and %d", lim.Max).WithField("limit")
		}
		p.Limit = *limit
	}
	if offset != nil {
		maxOff := lim.MaxOffset
		if maxOff <= 0 {
			maxOff = 1_000_000
		}
		if *offset < 0 || *offset > maxOff {
			return p, gqlbase.BadInput("offset must be between 0 and %d", maxOff).WithField("offset")
		}
		p.Offset = *offset
	}
	return p, nil
}

// PathInt64 reads a path wildcard that must be a positive integer id.
func PathInt64(r *http.Request, name string) (int64, error) {
	s := r.PathValue(name)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, gqlbase.NotFound("%s %q not found", name, s)
	}
	return id, nil
}

// NotImplemented is the handler of routes that need a product gqlbase does not have.
func NotImplemented(what string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return gqlbase.Errorf(gqlbase.CodeNotImplemented, "%s is not available in gqlbase", what)
	}
}

// Sprint is fmt.Sprint, for handlers that format ids.
func Sprint(v any) string { return fmt.Sprint(v) }
