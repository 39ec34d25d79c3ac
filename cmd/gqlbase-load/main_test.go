package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunReportsThroughputAndErrors(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		n := calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer tok" || body.Query != "{ x }" || body.Variables["a"] != float64(1) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n%5 == 0 {
			_, _ = w.Write([]byte(`{"errors":[{"message":"boom"}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"x":1}}`))
	}))
	defer srv.Close()
	cfg := config{url: srv.URL, token: "tok", query: "{ x }", variables: map[string]any{"a": 1},
		concurrency: 3, duration: time.Minute, timeout: 5 * time.Second, maxRequests: 100}
	var out bytes.Buffer
	if err := run(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	report := out.String()
	for _, want := range []string{"requests     100\n", "errors       20\n", "req/s", "latency p50", "latency p99", "first error  GraphQL errors"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func TestRunFailsOnABrokenSetup(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	cfg := config{url: srv.URL, query: "{ x }", concurrency: 1, duration: time.Second, timeout: time.Second}
	if err := run(context.Background(), cfg, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("want the first request's 401, got %v", err)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(d, 0.5); p != 50*time.Millisecond {
		t.Errorf("p50 = %s", p)
	}
	if p := percentile(d, 0.99); p != 99*time.Millisecond {
		t.Errorf("p99 = %s", p)
	}
}
