package pgcluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClusterLogHoldsNoStatementTextOrKeyValues causes a unique violation and a syntax error and
// checks that the server log records the errors but neither the statements nor the key value.
func TestClusterLogHoldsNoStatementTextOrKeyValues(t *testing.T) {
	t.Parallel()
	c := startCluster(t, nil, nil)
	db := openDB(t, c)

	for setting, want := range map[string]string{
		"log_statement":              "none",
		"log_min_duration_statement": "-1",
		"log_min_error_statement":    "panic",
		"log_error_verbosity":        "terse",
	} {
		var got string
		if err := db.QueryRow(`SELECT current_setting($1)`, setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %s, want %s", setting, got, want)
		}
	}

	const keyValue = "tenant-secret-key-4711"
	if _, err := db.Exec(`CREATE TABLE people (email text UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO people (email) VALUES ('` + keyValue + `')`
	if _, err := db.Exec(insert); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(insert); err == nil || !strings.Contains(err.Error(), "duplicate key") {
		t.Fatalf("second insert: %v, want a unique violation", err)
	}
	// The offending token is the trailing FROM, so only the statement text carries the marker.
	const badStatement = `SELECT 'tenant-statement-marker-0815' AS marker FROM`
	if _, err := db.Exec(badStatement); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Fatalf("bad statement: %v, want a syntax error", err)
	}

	// A backend writes an error to the server log before it tells the client about it.
	raw, err := os.ReadFile(filepath.Join(c.Dir(), "log", "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	for _, logged := range []string{"duplicate key value violates unique constraint", "syntax error at end of input"} {
		if !strings.Contains(log, logged) {
			t.Errorf("the server log lacks the error %q:\n%s", logged, log)
		}
	}
	for _, secret := range []string{keyValue, "tenant-statement-marker-0815", "INSERT INTO people", "STATEMENT:", "DETAIL:"} {
		if strings.Contains(log, secret) {
			t.Errorf("the server log contains %q:\n%s", secret, log)
		}
	}
}
