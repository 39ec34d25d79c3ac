package rest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

func getMetrics(t *testing.T, srv *testserver.Server, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestMetricsNeedAdminScopeOnOwnerWorkspace(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	reader, _ := newToken(t, srv, srv.AdminToken, map[string]any{"name": "reader", "scopes": []string{"READ"}})
	admin, _ := newToken(t, srv, srv.AdminToken, map[string]any{"name": "scraper", "scopes": []string{"ADMIN"}})
	// ann owns a workspace of her own: admin there, nothing in the owner workspace.
	ann := signUp(t, srv, "ann@example.com")
	for _, c := range []struct {
		name, token string
		status      int
	}{
		{"anonymous", "", http.StatusUnauthorized},
		{"unknown token", "gqb_" + strings.Repeat("Z", 52), http.StatusUnauthorized},
		{"read token of the owner workspace", reader, http.StatusForbidden},
		{"owner of another workspace", ann.session, http.StatusForbidden},
		{"admin token of the owner workspace", admin, http.StatusOK},
		{"bootstrap admin token", srv.AdminToken, http.StatusOK},
	} {
		status, body := getMetrics(t, srv, c.token)
		if status != c.status {
			t.Errorf("%s: %d, want %d", c.name, status, c.status)
		}
		if status != http.StatusOK && strings.Contains(body, "gqlbase_") {
			t.Errorf("%s: refused, but the body has series: %.200s", c.name, body)
		}
	}
}

func TestMetricsLabelValuesAreBounded(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	// Methods are the caller's choice; only the usual ones get a value of their own.
	for i := range 20 {
		req, _ := http.NewRequest("BREW"+itoa(i), srv.URL+"/health", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	// Paths are the route's pattern, whatever the request's path.
	for _, path := range []string{"/dbs/123/graphql", "/dbs/456/graphql", "/no/such/route-x1", "/no/such/route-x2"} {
		if resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(`{"query":"{ __typename }"}`)); err == nil {
			resp.Body.Close()
		}
	}
	// An operation name from a document that did not parse is not a label value.
	if resp, err := http.Post(srv.URL+"/graphql", "application/json",
		strings.NewReader(`{"query":"query {","operationName":"Evil-Name-From-Caller"}`)); err == nil {
		resp.Body.Close()
	}

	_, body := getMetrics(t, srv, srv.AdminToken)
	for _, bad := range []string{"BREW", "/dbs/123/", "/dbs/456/", "route-x", "Evil-Name"} {
		if strings.Contains(body, bad) {
			t.Errorf("/metrics has the caller's %q as a label value", bad)
		}
	}
	for _, want := range []string{
		`method="other"`,
		`route="/dbs/{db}/graphql"`,
		`gqlbase_http_requests_total{method="POST",route="/",status="404"} 2`,
		`name="unknown"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
