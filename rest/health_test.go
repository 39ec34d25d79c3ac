package rest_test

import (
	"net/http"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestHealthSaysDegradedWithoutPostgres: liveness stays 200 without a database, so the process
// is not restarted while it waits for one, and says it is degraded.
func TestHealthSaysDegradedWithoutPostgres(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	if status, body := getJSON(t, srv.URL+"/health"); status != http.StatusOK || body["status"] != "ok" || body["postgres"] != "ok" {
		t.Fatalf("/health: %d %v", status, body)
	}
	srv.Store.Close()
	status, body := getJSON(t, srv.URL+"/health")
	if status != http.StatusOK || body["status"] != "degraded" || body["postgres"] != "unreachable" {
		t.Errorf("/health without Postgres: %d %v, want 200 and status degraded", status, body)
	}
	if body["version"] != "test" {
		t.Errorf("/health without Postgres: %v, want the version still", body)
	}
}
