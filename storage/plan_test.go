package storage_test

import (
	"context"
	"testing"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// Values written into plan statements read back exactly, whatever they hold.
func TestPlanLiteralsRoundTrip(t *testing.T) {
	st := pgtest.NewStore(t)
	for _, s := range []string{``, `'`, `''; DROP TABLE x; --`, `\`, `\'`, `E'\\'`, `$1`, `ünï ✓ "q"`, "line\nbreak\ttab", `{"a": [1, "\u00e9"]}`} {
		q, err := storage.InlineParams(`SELECT $1::text, $2::text[]`, []any{s, pq.Array([]string{s, "b"})})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		var arr []string
		if err := st.DB().QueryRowContext(context.Background(), q).Scan(&got, pq.Array(&arr)); err != nil {
			t.Fatalf("%q: %v\n%s", s, err, q)
		}
		if got != s || len(arr) != 2 || arr[0] != s || arr[1] != "b" {
			t.Errorf("%q came back as %q and %q", s, got, arr)
		}
	}
	if _, err := storage.InlineParams(`SELECT $1::text`, []any{"a\x00b"}); err == nil {
		t.Error("a NUL character was written into a statement")
	}
	if _, err := storage.InlineParams(`SELECT $2::text`, []any{"a"}); err == nil {
		t.Error("a placeholder without a parameter went through")
	}
}
