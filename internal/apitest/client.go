// Package apitest is the HTTP side of gqlbase's API tests: one Client that sends requests to a
// running server (internal/testserver) and decodes the answers, and a Runner of scenarios
// (request → status, body checks, and a fingerprint of the state taken before and after, so a
// refused request is shown to have changed nothing).
package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// Client sends requests to one server. Its zero Token sends no credentials.
type Client struct {
	BaseURL string
	// Token is sent as Authorization: Bearer <Token> unless it is empty.
	Token string
	// Header is sent with every request (x-bot-id, ...).
	Header map[string]string
	// HTTP is the client to use (http.DefaultClient when nil).
	HTTP *http.Client
}

// New is a client of the server at baseURL that authenticates with token ("" for none).
func New(baseURL, token string) *Client {
	return &Client{BaseURL: baseURL, Token: token}
}

// WithToken is a copy of c that authenticates with token ("" for none).
func (c *Client) WithToken(token string) *Client {
	d := c.clone()
	d.Token = token
	return d
}

// WithHeader is a copy of c that also sends the header (an empty value sends none).
func (c *Client) WithHeader(name, value string) *Client {
	d := c.clone()
	if value == "" {
		delete(d.Header, name)
	} else {
		d.Header[name] = value
	}
	return d
}

func (c *Client) clone() *Client {
	d := *c
	d.Header = maps.Clone(c.Header)
	if d.Header == nil {
		d.Header = map[string]string{}
	}
	return &d
}

// Reply is an answer. Body is the decoded JSON (numbers as json.Number) when the answer says
// it is JSON and is; nil otherwise, with JSONError telling why when it said so but is not.
type Reply struct {
	Method, Path string
	Status       int
	Header       http.Header
	Raw          []byte
	Body         any
	JSONError    error
}

// Do sends a request: body is nil (no body), a string or []byte (sent as it is) or a value
// (sent as JSON); a body goes with Content-Type: application/json.
func (c *Client) Do(t testing.TB, method, path string, body any) *Reply {
	t.Helper()
	return c.Send(t, method, path, nil, body)
}

// Send is Do with headers of this request only (they override the client's).
func (c *Client) Send(t testing.TB, method, path string, header map[string]string, body any) *Reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("%s %s: the body does not encode: %v", method, path, err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.BaseURL+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	r := &Reply{Method: method, Path: path, Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/json" || strings.HasSuffix(mt, "+json") {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&r.Body); err != nil {
			r.Body, r.JSONError = nil, fmt.Errorf("%s %s: the answer says it is JSON but is not: %w", method, path, err)
		}
	}
	return r
}

// Check is one assertion on a reply.
type Check func(t testing.TB, r *Reply)

// Expect fails the test unless the status is want and every check holds; it returns r.
func (r *Reply) Expect(t testing.TB, want int, checks ...Check) *Reply {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", r.Method, r.Path, r.Status, want, clip(r.Raw))
	}
	for _, c := range checks {
		c(t, r)
	}
	return r
}

// OK fails the test unless the status is 200 and the body a JSON object, which it returns.
func (r *Reply) OK(t testing.TB) map[string]any {
	t.Helper()
	r.Expect(t, http.StatusOK)
	m, ok := r.Body.(map[string]any)
	if !ok {
		t.Fatalf("%s %s: the answer is not a JSON object: %s", r.Method, r.Path, clip(r.Raw))
	}
	return m
}

// Object is the body as a JSON object (nil when it is not one).
func (r *Reply) Object() map[string]any {
	m, _ := r.Body.(map[string]any)
	return m
}

// Get walks the body: strings are object keys, ints are array indexes (nil when absent).
func (r *Reply) Get(path ...any) any { return Get(r.Body, path...) }

// Str is Get as a string (numbers in their JSON form; "" when absent).
func (r *Reply) Str(path ...any) string { return Str(r.Body, path...) }

// Get walks a decoded JSON value: strings are object keys, ints are array indexes.
func Get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k < 0 || k >= len(l) {
				return nil
			}
			v = l[k]
		default:
			return nil
		}
	}
	return v
}

// Str is Get as a string: strings as they are, numbers and booleans in their JSON form.
func Str(v any, path ...any) string {
	switch x := Get(v, path...).(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// dotted turns "errors.0.code" into a Get path.
func dotted(p string) []any {
	var out []any
	for _, s := range strings.Split(p, ".") {
		if n, err := strconv.Atoi(s); err == nil {
			out = append(out, n)
		} else {
			out = append(out, s)
		}
	}
	return out
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}
