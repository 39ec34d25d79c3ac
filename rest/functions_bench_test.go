package rest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// benchFunction makes a database with the trivial function and returns the server
// and the function's id.
func benchFunction(b *testing.B) (*testserver.Server, string) {
	srv := testserver.Start(b)
	db := testserver.Str(srv.Platform(b, srv.AdminToken, `mutation { createDatabase(input: {name: "bench"}) { id } }`, nil).OK(b), "createDatabase", "id")
	id := createFunction(b, srv, srv.AdminToken, map[string]any{"databaseId": db, "name": "sum",
		"code": "export default (input) => ({ sum: input.a + input.b })"})
	return srv, id
}

// runFunctionBody is one runFunction request, encoded once.
func runFunctionBody(b *testing.B, id string) []byte {
	body, err := json.Marshal(map[string]any{"query": runFunctionQuery, "variables": map[string]any{"id": id, "in": map[string]any{"a": 1, "b": 2}}})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

var fnBenchClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}}

// callRunFunction posts one runFunction and fails unless it answered {sum: 3}.
func callRunFunction(b *testing.B, url, token string, body []byte) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := fnBenchClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Contains(out, []byte(`"output":{"sum":3}`)) {
		b.Fatalf("runFunction: %d %s", resp.StatusCode, out)
	}
}

// BenchmarkRunFunction is one warm call of a trivial function through the platform API
// (HTTP, authentication, the sandbox, the invocation log's insert), one at a time; it
// reports the median and 99th percentile of the calls.
func BenchmarkRunFunction(b *testing.B) {
	srv, id := benchFunction(b)
	url, body := srv.URL+"/graphql", runFunctionBody(b, id)
	callRunFunction(b, url, srv.AdminToken, body) // warm: the runtime is pooled after this
	lat := make([]time.Duration, 0, 1024)
	for b.Loop() {
		start := time.Now()
		callRunFunction(b, url, srv.AdminToken, body)
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkRunFunctionParallel is the throughput of runFunction with concurrent callers.
func BenchmarkRunFunctionParallel(b *testing.B) {
	srv, id := benchFunction(b)
	url, body := srv.URL+"/graphql", runFunctionBody(b, id)
	callRunFunction(b, url, srv.AdminToken, body)
	b.SetParallelism(4)
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			callRunFunction(b, url, srv.AdminToken, body)
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
}
