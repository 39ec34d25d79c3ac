package botpress_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Botpress matches upserted rows by the key column's value whether or not the column is
// declared unique; a key that matches several rows is reported in errors, and the other rows
// are still written.
func TestUpsertByAKeyThatIsNotUnique(t *testing.T) {
	srv := setup(t)
	bot := client(srv, srv.AdminToken, "bot")
	bot.Do(t, "POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{
		map[string]any{"name": "a", "n": 1}, map[string]any{"name": "b", "n": 2}}}).OK(t)

	r := bot.Do(t, "POST", "/v1/tables/itemsTable/rows/upsert", map[string]any{"keyColumn": "name", "rows": []any{
		map[string]any{"name": "a", "n": 10}, map[string]any{"name": "c", "n": 3}}}).Expect(t, 200)
	if r.Str("updated", 0, "name") != "a" || r.Str("updated", 0, "n") != "10" || r.Str("inserted", 0, "name") != "c" ||
		len(r.Get("updated").([]any)) != 1 || len(r.Get("inserted").([]any)) != 1 || len(r.Get("errors").([]any)) != 0 {
		t.Fatalf("upsert by name: %s", r.Raw)
	}

	bot.Do(t, "POST", "/v1/tables/itemsTable/rows", map[string]any{"rows": []any{map[string]any{"name": "a", "n": 5}}}).OK(t)
	r = bot.Do(t, "POST", "/v1/tables/itemsTable/rows/upsert", map[string]any{"keyColumn": "name", "rows": []any{
		map[string]any{"name": "a", "n": 99}, map[string]any{"name": "d", "n": 4}}}).Expect(t, 200)
	errs, _ := r.Get("errors").([]any)
	if len(errs) != 1 || !strings.Contains(fmt.Sprint(errs[0]), "matches 2 rows") || r.Str("inserted", 0, "name") != "d" ||
		len(r.Get("updated").([]any)) != 0 {
		t.Fatalf("upsert of a key two rows hold: %s", r.Raw)
	}
	found := bot.Do(t, "POST", "/v1/tables/itemsTable/rows/find", map[string]any{"filter": map[string]any{"name": "a"}}).Expect(t, 200)
	for _, row := range found.Get("rows").([]any) {
		if n := fmt.Sprint(row.(map[string]any)["n"]); n == "99" {
			t.Errorf("a row of the ambiguous key was updated: %s", found.Raw)
		}
	}
}

// Concurrent upserts of the same new key, on a column that is not unique, insert it once: the
// others wait for the first and then update the row it inserted.
func TestConcurrentUpsertsOfANewKeyInsertItOnce(t *testing.T) {
	srv := setup(t)
	bot := client(srv, srv.AdminToken, "bot")
	const writers = 8
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bot.Do(t, "POST", "/v1/tables/itemsTable/rows/upsert", map[string]any{"keyColumn": "name", "rows": []any{
				map[string]any{"name": "z", "n": i}}}).Expect(t, 200)
		}()
	}
	wg.Wait()
	found := bot.Do(t, "POST", "/v1/tables/itemsTable/rows/find", map[string]any{"filter": map[string]any{"name": "z"}}).Expect(t, 200)
	if rows := found.Get("rows").([]any); len(rows) != 1 {
		t.Fatalf("%d rows named z after %d concurrent upserts, want 1: %s", len(rows), writers, found.Raw)
	}
}
