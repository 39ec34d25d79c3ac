package botpress_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// benchClient keeps connections alive across the parallel requests.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}

func post(tb testing.TB, url, token string, headers map[string]string, body any) []byte {
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := benchClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("POST %s: %d %s", url, resp.StatusCode, out)
	}
	return out
}

// benchTable makes a table of 5 columns with 100 rows through the Botpress API and returns
// its id.
func benchTable(b *testing.B, srv *testserver.Server) string {
	bot := map[string]string{"x-bot-id": "bench"}
	out := post(b, srv.URL+"/v1/tables", srv.AdminToken, bot, map[string]any{
		"name": "benchTable",
		"schema": map[string]any{"properties": map[string]any{
			"name": map[string]any{"type": "string"}, "email": map[string]any{"type": "string"},
			"age": map[string]any{"type": "number"}, "vip": map[string]any{"type": "boolean"},
			"joined": map[string]any{"type": "string", "format": "date-time"},
		}},
	})
	var created struct {
		Table struct {
			ID string `json:"id"`
		} `json:"table"`
	}
	if err := json.Unmarshal(out, &created); err != nil {
		b.Fatal(err)
	}
	rows := make([]map[string]any, 100)
	for i := range rows {
		rows[i] = map[string]any{"name": fmt.Sprintf("user %d", i), "email": fmt.Sprintf("u%d@example.com", i),
			"age": 20 + i%50, "vip": i%3 == 0, "joined": "2024-01-02T03:04:05Z"}
	}
	post(b, srv.URL+"/v1/tables/benchTable/rows", srv.AdminToken, bot, map[string]any{"rows": rows})
	return created.Table.ID
}

// BenchmarkFindRows compares a Botpress findTableRows of 20 rows with the platform GraphQL
// query that returns the same rows (id, createdAt, updatedAt and the columns), both through
// the real HTTP handler, with the same data and concurrency.
func BenchmarkFindRows(b *testing.B) {
	srv := testserver.Start(b)
	tableID := benchTable(b, srv)
	bot := map[string]string{"x-bot-id": "bench"}
	botpressBody := map[string]any{"limit": 20}
	graphqlBody := map[string]any{
		"query":     `query($t: ID!) { rows(table: $t, first: 20) { nodes { id createdAt updatedAt data } pageInfo { hasNextPage } } }`,
		"variables": map[string]any{"t": tableID},
	}
	// Both answer 20 rows.
	var bp struct{ Rows []map[string]any }
	_ = json.Unmarshal(post(b, srv.URL+"/v1/tables/benchTable/rows/find", srv.AdminToken, bot, botpressBody), &bp)
	var gq struct {
		Data struct {
			Rows struct{ Nodes []map[string]any }
		}
	}
	_ = json.Unmarshal(post(b, srv.URL+"/graphql", srv.AdminToken, nil, graphqlBody), &gq)
	if len(bp.Rows) != 20 || len(gq.Data.Rows.Nodes) != 20 {
		b.Fatalf("rows: botpress %d, graphql %d", len(bp.Rows), len(gq.Data.Rows.Nodes))
	}
	run := func(b *testing.B, url string, headers map[string]string, body any) {
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				post(b, url, srv.AdminToken, headers, body)
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	}
	b.Run("botpress", func(b *testing.B) { run(b, srv.URL+"/v1/tables/benchTable/rows/find", bot, botpressBody) })
	b.Run("graphql", func(b *testing.B) { run(b, srv.URL+"/graphql", nil, graphqlBody) })
}
