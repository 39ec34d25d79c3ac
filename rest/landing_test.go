package rest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

func getWithAccept(t *testing.T, url, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestLandingPageForBrowsers: GET / in a browser is a page that says what the server is and
// links to the playgrounds, the docs and the health check; every link it has answers.
func TestLandingPageForBrowsers(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	resp, body := getWithAccept(t, srv.URL+"/", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / for a browser: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	page := string(body)
	if !strings.Contains(page, "GraphQL-first backend") || !strings.Contains(page, "admin-token") {
		t.Errorf("the page does not say what gqlbase is or where the token is:\n%s", page)
	}
	var hrefs []string
	for _, m := range regexp.MustCompile(`href="(/[^"]*)"`).FindAllStringSubmatch(page, -1) {
		hrefs = append(hrefs, m[1])
	}
	for _, want := range []string{"/playground", "/docs", "/health", "/graphql"} {
		if !strings.Contains(strings.Join(hrefs, " ")+" ", want+" ") {
			t.Errorf("the page does not link to %s (links: %v)", want, hrefs)
		}
	}
	if !strings.Contains(page, "/dbs/{db}/graphql") {
		t.Errorf("the page does not name the typed playground:\n%s", page)
	}
	for _, href := range hrefs {
		if resp, body := getWithAccept(t, srv.URL+href, "text/html"); resp.StatusCode == http.StatusNotFound {
			t.Errorf("the page links to %s, which answers 404: %s", href, body)
		}
	}
}

// TestLandingIndexForAPIClients: GET / without asking for HTML answers a JSON index of the
// entry points, each of which is served.
func TestLandingIndexForAPIClients(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	for _, accept := range []string{"", "*/*", "application/json"} {
		resp, body := getWithAccept(t, srv.URL+"/", accept)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("GET / with Accept %q: %d %s\n%s", accept, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var index struct {
			Name, Version string
			Links         map[string]string
		}
		if err := json.Unmarshal(body, &index); err != nil {
			t.Fatalf("GET / with Accept %q: %v\n%s", accept, err, body)
		}
		if index.Name != "gqlbase" || index.Version != "test" {
			t.Errorf("index: %+v", index)
		}
		for _, key := range []string{"graphql", "playground", "typedGraphql", "docs", "health"} {
			if index.Links[key] == "" {
				t.Errorf("the index has no %q link: %s", key, body)
			}
		}
		for key, path := range index.Links {
			if strings.Contains(path, "{") {
				continue
			}
			if resp, body := getWithAccept(t, srv.URL+path, ""); resp.StatusCode == http.StatusNotFound {
				t.Errorf("the index's %s link %s answers 404: %s", key, path, body)
			}
		}
	}
	// Other paths are still the JSON 404.
	if status, body := getJSON(t, srv.URL+"/nowhere"); status != http.StatusNotFound || body["error"] == nil {
		t.Errorf("GET /nowhere: %d %v", status, body)
	}
}
