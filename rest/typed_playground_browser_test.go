package rest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestTypedPlaygroundInHeadlessChromium opens /dbs/{db}/graphql in headless Chromium with no
// token: the editor's text fits the window and says a token is needed, and running it
// answers UNAUTHENTICATED, as it says. Once the token is in the Headers tab, the page fetches
// the schema again by itself (the Docs panel lists the tables) and opens on the server's
// sample query over the first table, which runs.
func TestTypedPlaygroundInHeadlessChromium(t *testing.T) {
	e := newTypedEnv(t)
	e.music(t)
	ctx, activity := startBrowser(t)
	step := browserStep(t, ctx, activity)
	stepCtx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	step("open the typed playground", 30*time.Second,
		recordCSPViolations,
		chromedp.Navigate(e.srv.URL+e.path),
		chromedp.WaitVisible(chromedp.CSS(gqlQueryEditor)),
		chromedp.WaitVisible(chromedp.CSS(gqlRunButton)),
	)
	first := waitEditor(t, stepCtx, activity, "the default text", gqlQueryEditor, `v.includes("UNAUTHENTICATED")`)
	if !strings.Contains(first, "Headers tab") || !strings.Contains(first, "admin-token") {
		t.Errorf("the default text does not say where the token goes and where to get one:\n%s", first)
	}
	assertEditorFits(t, stepCtx, gqlQueryEditor)

	step("run the default query without a token", 15*time.Second, chromedp.Click(chromedp.CSS(gqlRunButton)))
	unauth := waitEditor(t, stepCtx, activity, "the answer without a token", gqlResultEditor, `v.includes('"errors"') || v.includes('"data"')`)
	if !strings.Contains(unauth, "UNAUTHENTICATED") {
		t.Errorf("without a token the default query answered, not UNAUTHENTICATED as its text says:\n%s", unauth)
	}

	headers, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + e.srv.AdminToken})
	step("put the token in the headers editor", 15*time.Second,
		chromedp.Click(chromedp.Search(gqlHeadersTab)),
		chromedp.WaitVisible(chromedp.CSS(gqlHeadersEditor)),
		setEditor(gqlHeadersEditor, string(headers)),
	)
	sample := waitEditor(t, stepCtx, activity, "the sample query", gqlQueryEditor, `v.includes("genres(limit: 10)")`)
	t.Logf("sample query:\n%s", sample)
	assertEditorFits(t, stepCtx, gqlQueryEditor)

	// The schema was fetched again with the token: the Docs panel shows the query type, and
	// the tables as its fields.
	step("open the docs", 30*time.Second,
		chromedp.Click(chromedp.CSS(gqlDocsButton)),
		discard(chromedp.Poll[bool](`(() => { const d = document.querySelector(`+jsString(gqlDocs)+`);
			return !!d && !d.textContent.includes("Error fetching schema") && !!d.querySelector('a.graphiql-doc-explorer-type-name'); })()`,
			chromedp.WithPollingInterval(100*time.Millisecond))),
		chromedp.Click(chromedp.CSS(gqlDocs+` a.graphiql-doc-explorer-type-name`)),
		discard(chromedp.Poll[bool](`(() => { const d = document.querySelector(`+jsString(gqlDocs)+`);
			return !!d && d.textContent.includes("genres_aggregate") && d.textContent.includes("tracks"); })()`,
			chromedp.WithPollingInterval(100*time.Millisecond))),
	)

	step("run the sample query", 15*time.Second, chromedp.Click(chromedp.CSS(gqlRunButton)))
	result := waitEditor(t, stepCtx, activity, "the sample query's answer", gqlResultEditor, `v !== `+jsString(unauth)+` && v.includes('"data"')`)
	if !strings.Contains(result, `"Rock"`) || strings.Contains(result, `"errors"`) {
		t.Errorf("the sample query did not answer the genres:\n%s", result)
	}

	_, problems := activity.snapshot()
	for _, p := range problems {
		// The schema fetch without a token fails as it should; the browser logs the 401.
		if strings.Contains(p, "401") {
			continue
		}
		t.Errorf("page problem: %s", p)
	}
	violations, err := chromedp.Run(stepCtx, chromedp.Evaluate[[]string](`window.__cspViolations || ["the violation recorder did not run"]`))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range violations {
		t.Errorf("Content-Security-Policy violation: %s", v)
	}
}

// TestTypedPlaygroundPages: the page of /dbs/{db}/graphql points the browser at its sample
// query; the page of a read-only id, which needs no token, opens on it directly.
func TestTypedPlaygroundPages(t *testing.T) {
	t.Parallel()
	e := newTypedEnv(t)
	e.music(t)
	data := e.srv.Platform(t, e.srv.AdminToken, `query($id: ID!) { database(id: $id) { readonlyId } }`, map[string]any{"id": e.db}).OK(t)
	ro := testserver.Str(data, "database", "readonlyId")
	resp, body := getWithAccept(t, e.srv.URL+e.path, "text/html")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `data-sample-query-url="/dbs/`+e.db+`/playground/default-query"`) {
		t.Errorf("typed page: %d\n%s", resp.StatusCode, body)
	}
	resp, body = getWithAccept(t, e.srv.URL+"/readonly/"+ro+"/graphql", "text/html")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "genres(limit: 10)") || strings.Contains(string(body), "UNAUTHENTICATED") {
		t.Errorf("read-only page does not open on the sample query: %d\n%s", resp.StatusCode, body)
	}
	resp, body = getWithAccept(t, e.srv.URL+"/readonly/nope/graphql", "text/html")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "no token") {
		t.Errorf("read-only page of an unknown id: %d\n%s", resp.StatusCode, body)
	}
}
