package rest_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// BenchmarkRunFunction calls a trivial function through runFunction over HTTP, one call at a
// time, and reports the latency percentiles of one call beside ns/op (calls per second is
// 1e9 / ns/op). Each call also writes its invocation log entry.
func BenchmarkRunFunction(b *testing.B) {
	srv := testserver.Start(b)
	db := testserver.Str(srv.Platform(b, srv.AdminToken, `mutation { createDatabase(input: {name: "bench"}) { id } }`, nil).OK(b), "createDatabase", "id")
	id := testserver.Str(srv.Platform(b, srv.AdminToken, createFunctionQuery, map[string]any{"in": map[string]any{
		"databaseId": db, "name": "sum", "code": "export default (input) => ({ sum: input.a + input.b })"}}).OK(b), "createFunction", "id")
	body := map[string]any{"query": runFunctionQuery, "variables": map[string]any{"id": id, "in": map[string]any{"a": 1, "b": 2}}}
	benchPost(b, srv, body) // warm: the runtime is pooled after the first call
	var took []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		benchPost(b, srv, body)
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	pct := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkRunFunctionParallel is runFunction's throughput with four callers per core at
// once (calls/s), each call checked to have answered {sum: 3}.
func BenchmarkRunFunctionParallel(b *testing.B) {
	srv := testserver.Start(b)
	db := testserver.Str(srv.Platform(b, srv.AdminToken, `mutation { createDatabase(input: {name: "bench"}) { id } }`, nil).OK(b), "createDatabase", "id")
	id := createFunction(b, srv, srv.AdminToken, map[string]any{"databaseId": db, "name": "sum",
		"code": "export default (input) => ({ sum: input.a + input.b })"})
	body := map[string]any{"query": runFunctionQuery, "variables": map[string]any{"id": id, "in": map[string]any{"a": 1, "b": 2}}}
	benchPost(b, srv, body)
	b.SetParallelism(4)
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if out := benchPost(b, srv, body); !bytes.Contains(out, []byte(`"output":{"sum":3}`)) {
				b.Errorf("runFunction: %s", out)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
}
