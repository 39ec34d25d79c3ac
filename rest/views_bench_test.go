package rest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// BenchmarkViewRows compares viewRows(view:) with rows(table:) given the same filter and
// sort spelled out, through the real HTTP handler, on 1,000 rows, 50 per page. Each
// sub-benchmark reports req/s; their ratio is the cost of reading the view.
func BenchmarkViewRows(b *testing.B) {
	e := &dataEnv{srv: testserver.Start(b)}
	e.token = e.srv.AdminToken
	e.db = e.createDatabase(b, "bench")
	opts := []any{map[string]any{"value": "todo"}, map[string]any{"value": "done"}}
	table, _ := e.createTable(b, "tasks",
		colDef{"name": "title", "type": "TEXT"},
		colDef{"name": "status", "type": "SELECT", "options": opts},
		colDef{"name": "score", "type": "INTEGER"})
	for chunk := 0; chunk < 10; chunk++ {
		rows := make([]map[string]any, 100)
		for i := range rows {
			n := chunk*100 + i
			rows[i] = map[string]any{"title": fmt.Sprintf("task %d", n), "status": opts[n%2].(map[string]any)["value"], "score": n % 97}
		}
		e.insert(b, table, rows...)
	}
	filter := map[string]any{"or": []any{
		map[string]any{"and": []any{
			map[string]any{"column": "status", "op": "eq", "value": "todo"},
			map[string]any{"column": "score", "op": "gte", "value": 10},
		}},
		map[string]any{"column": "title", "op": "starts_with", "value": "task 9"},
	}}
	sorts := []any{map[string]any{"column": "score", "direction": "DESC"}}
	v := e.createView(b, table, map[string]any{"name": "bench", "type": "grid", "filter": filter, "sorts": sorts})

	bodies := map[string]map[string]any{
		"view": {
			"query":     `query($v: ID!) { viewRows(view: $v, first: 50) { nodes { id data } pageInfo { hasNextPage } } }`,
			"variables": map[string]any{"v": v["id"]},
		},
		"spelled-out": {
			"query":     `query($t: ID!, $w: RowFilter, $o: [RowOrder!]) { rows(table: $t, where: $w, orderBy: $o, first: 50) { nodes { id data } pageInfo { hasNextPage } } }`,
			"variables": map[string]any{"t": table, "w": filter, "o": sorts},
		},
	}
	// Both answer the same rows.
	if a, c := benchPost(b, e.srv, bodies["view"]), benchPost(b, e.srv, bodies["spelled-out"]); !bytes.Equal(
		bytes.ReplaceAll(a, []byte("viewRows"), []byte("rows")), c) {
		b.Fatalf("different answers:\n%s\n%s", a, c)
	}
	for _, name := range []string{"spelled-out", "view"} {
		body := bodies[name]
		b.Run(name, func(b *testing.B) {
			b.SetParallelism(4)
			start := time.Now()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					benchPost(b, e.srv, body)
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
	// The two alternate request by request, so that the load of the machine, which drifts
	// between the sub-benchmarks above, weighs on both alike: ratio is the view's req/s over
	// the spelled-out filter's (mean latency of the latter over the former's).
	b.Run("interleaved", func(b *testing.B) {
		var spent [2]atomic.Int64
		var turn atomic.Int64
		order := []map[string]any{bodies["spelled-out"], bodies["view"]}
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				k := turn.Add(1) % 2
				t0 := time.Now()
				benchPost(b, e.srv, order[k])
				spent[k].Add(int64(time.Since(t0)))
			}
		})
		if v := spent[1].Load(); v > 0 {
			b.ReportMetric(float64(spent[0].Load())/float64(v), "ratio")
		}
	})
}

var viewBenchClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}}

func benchPost(tb testing.TB, srv *testserver.Server, body any) []byte {
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+srv.AdminToken)
	resp, err := viewBenchClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"errors"`)) {
		tb.Fatalf("%d %s", resp.StatusCode, out)
	}
	return out
}
