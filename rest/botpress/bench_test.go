package botpress_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/gqlbase/gqlbase/internal/apitest"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// benchClient keeps connections alive across the parallel requests.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}

// post sends a request that must answer 200 and returns the body.
func post(tb testing.TB, c *apitest.Client, path string, body any) []byte {
	return c.Do(tb, "POST", path, body).Expect(tb, http.StatusOK).Raw
}

// benchClients are the admin's clients of the Botpress API (bot "bench") and of GraphQL.
func benchClients(srv *testserver.Server) (bot, gql *apitest.Client) {
	gql = &apitest.Client{BaseURL: srv.URL, Token: srv.AdminToken, HTTP: benchClient}
	return gql.WithHeader("x-bot-id", "bench"), gql
}

// benchTable makes a table of 5 columns with 100 rows through the Botpress API and returns
// its id.
func benchTable(b *testing.B, srv *testserver.Server) string {
	bot, _ := benchClients(srv)
	out := post(b, bot, "/v1/tables", map[string]any{
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
	post(b, bot, "/v1/tables/benchTable/rows", map[string]any{"rows": rows})
	return created.Table.ID
}

// BenchmarkFindRows compares a Botpress findTableRows of 20 rows with the platform GraphQL
// query that returns the same rows (id, createdAt, updatedAt and the columns), both through
// the real HTTP handler, with the same data and concurrency.
func BenchmarkFindRows(b *testing.B) {
	srv := testserver.Start(b)
	tableID := benchTable(b, srv)
	bot, gql := benchClients(srv)
	botpressBody := map[string]any{"limit": 20}
	graphqlBody := map[string]any{
		"query":     `query($t: ID!) { rows(table: $t, first: 20) { nodes { id createdAt updatedAt data } pageInfo { hasNextPage } } }`,
		"variables": map[string]any{"t": tableID},
	}
	// Both answer 20 rows.
	var bp struct{ Rows []map[string]any }
	_ = json.Unmarshal(post(b, bot, "/v1/tables/benchTable/rows/find", botpressBody), &bp)
	var gq struct {
		Data struct {
			Rows struct{ Nodes []map[string]any }
		}
	}
	_ = json.Unmarshal(post(b, gql, "/graphql", graphqlBody), &gq)
	if len(bp.Rows) != 20 || len(gq.Data.Rows.Nodes) != 20 {
		b.Fatalf("rows: botpress %d, graphql %d", len(bp.Rows), len(gq.Data.Rows.Nodes))
	}
	run := func(b *testing.B, c *apitest.Client, path string, body any) {
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				post(b, c, path, body)
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	}
	b.Run("botpress", func(b *testing.B) { run(b, bot, "/v1/tables/benchTable/rows/find", botpressBody) })
	b.Run("graphql", func(b *testing.B) { run(b, gql, "/graphql", graphqlBody) })
}
