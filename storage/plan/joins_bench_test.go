package plan_test

import (
	"context"
	"testing"

	"github.com/gqlbase/gqlbase/storage/plan"
)

// BenchmarkNestedTracks20 runs the nested list (20 tracks, each with its album's title and the
// album's artist's name) on Chinook-sized data: the statement's cost in Postgres.
func BenchmarkNestedTracks20(b *testing.B) {
	db, f := chinookSized(b)
	query, params, err := plan.Compile(nestedTracks(f, 20))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out []byte
		if err := db.QueryRowContext(ctx, query, params...).Scan(&out); err != nil {
			b.Fatal(err)
		}
	}
}
