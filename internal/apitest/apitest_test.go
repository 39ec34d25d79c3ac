package apitest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// counter is a server with one number: GET reads it, POST {"by": n} adds n > 0, anything else
// is refused with {"error": ...} and changes nothing.
func counter(t *testing.T) (*httptest.Server, func(testing.TB) string) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer secret" || r.Header.Get("x-who") != "ann" {
			w.WriteHeader(401)
			_, _ = io.WriteString(w, `{"error":{"code":"UNAUTHENTICATED"}}`)
			return
		}
		if r.Method == "POST" {
			var in struct{ By int }
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.By <= 0 || r.Header.Get("Content-Type") != "application/json" {
				w.WriteHeader(400)
				_, _ = io.WriteString(w, `{"error":{"code":"BAD_USER_INPUT","message":"by must be positive"}}`)
				return
			}
			n += in.By
		}
		_, _ = io.WriteString(w, `{"n":`+strconv.Itoa(n)+`,"list":[1.5,"x"]}`)
	}))
	t.Cleanup(srv.Close)
	c := New(srv.URL, "secret").WithHeader("x-who", "ann")
	return srv, func(tb testing.TB) string { return c.Do(tb, "GET", "/", nil).Str("n") }
}

func TestClient(t *testing.T) {
	srv, _ := counter(t)
	c := New(srv.URL, "secret").WithHeader("x-who", "ann")
	if got := c.Do(t, "POST", "/", map[string]any{"by": 2}).OK(t); got["n"] != json.Number("2") {
		t.Fatalf("answer: %v", got)
	}
	r := c.Do(t, "GET", "/", nil)
	if r.Str("n") != "2" || r.Str("list", 0) != "1.5" || r.Str("list", 1) != "x" || r.Get("list", 2) != nil || r.Get("n", "x") != nil {
		t.Fatalf("walk: %s", r.Raw)
	}
	c.WithToken("").Do(t, "GET", "/", nil).Expect(t, 401)
	c.WithHeader("x-who", "").Do(t, "GET", "/", nil).Expect(t, 401)
	c.Send(t, "GET", "/", map[string]string{"x-who": "bob"}, nil).Expect(t, 401)
	if c.Header["x-who"] != "ann" {
		t.Fatal("With changed the client it copied")
	}
	c.Do(t, "POST", "/", `{"by":`).Expect(t, 400, func(t testing.TB, r *Reply) {
		if r.Str("error", "code") != "BAD_USER_INPUT" {
			t.Errorf("code: %s", r.Raw)
		}
	})
}

func TestRunner(t *testing.T) {
	srv, state := counter(t)
	rn := Runner{Client: New(srv.URL, "secret").WithHeader("x-who", "ann"), State: state}
	rn.Run(t,
		Scenario{Name: "refused", Method: "POST", Path: "/", Body: map[string]any{"by": -1}, Status: 400,
			Contains: []string{"must be positive"}, NotContains: []string{`"n"`}, JSON: map[string]any{"error.code": "BAD_USER_INPUT"}},
		Scenario{Name: "no token", Client: rn.Client.WithToken(""), Method: "POST", Path: "/", Body: map[string]any{"by": 1}, Status: 401},
		Scenario{Name: "adds", Method: "POST", Path: "/", Body: map[string]any{"by": 3}, Status: 200, Changes: true,
			JSON: map[string]any{"n": 3, "list.0": 1.5}},
	)
}

func TestStateProblem(t *testing.T) {
	if p := stateProblem("1", "2", false); !strings.Contains(p, "changed the state") {
		t.Errorf("a change went unseen: %q", p)
	}
	if p := stateProblem("1", "1", true); !strings.Contains(p, "changed nothing") {
		t.Errorf("a missing change went unseen: %q", p)
	}
	if stateProblem("1", "1", false) != "" || stateProblem("1", "2", true) != "" {
		t.Error("a right state was refused")
	}
	if dotted("a.0.b")[1] != 0 || asJSON(json.Number("2")) != asJSON(2) {
		t.Error("paths or JSON comparison")
	}
}
