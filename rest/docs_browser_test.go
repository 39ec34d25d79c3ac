package rest_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// TestDocsPageInHeadlessChromium opens /docs in headless Chromium: the page must render every
// operation of the OpenAPI document (one entry per route), filter them, load nothing from
// outside the server, log no errors and violate no Content-Security-Policy directive.
func TestDocsPageInHeadlessChromium(t *testing.T) {
	srv := testserver.Start(t)
	server, _ := url.Parse(srv.URL)
	ctx, activity := startBrowser(t)
	stepCtx, cancelStep := context.WithTimeout(ctx, 60*time.Second)
	defer cancelStep()
	if err := chromedp.Do(stepCtx, recordCSPViolations, chromedp.Navigate(srv.URL+"/docs")); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		n, err := chromedp.Run(stepCtx, chromedp.Poll[int](`(() => { const n = document.querySelectorAll('details.op:not([hidden])').length; return n > 0 ? n : null; })()`,
			chromedp.WithPollingInterval(50*time.Millisecond)))
		if err != nil {
			_, problems := activity.snapshot()
			t.Fatalf("no operations rendered: %v; page problems: %v", err, problems)
		}
		return n
	}
	all := count()
	if all < 100 {
		t.Errorf("%d operations rendered", all)
	}
	sections, err := chromedp.Run(stepCtx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('section.dialect h2')).map((h) => h.textContent).join(',')`))
	if err != nil || sections != "botpress,airsequel" {
		t.Errorf("sections %q %v", sections, err)
	}
	if err := chromedp.Do(stepCtx, chromedp.SendKeys(`#filter`, "rows/find")); err != nil {
		t.Fatal(err)
	}
	filtered, err := chromedp.Run(stepCtx, chromedp.Poll[int](`(() => { const n = document.querySelectorAll('details.op:not([hidden])').length; return n === 1 ? n : null; })()`,
		chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil || filtered != 1 {
		t.Errorf("filter: %d %v", filtered, err)
	}
	requests, problems := activity.snapshot()
	for _, p := range problems {
		t.Errorf("page problem: %s", p)
	}
	for _, raw := range requests {
		u, err := url.Parse(raw)
		if err != nil || !(u.Scheme == "data" || raw == "about:blank" || (u.Scheme == "http" && u.Host == server.Host)) {
			t.Errorf("the page requested %s: only %s may be contacted", raw, server.Host)
		}
	}
	violations, err := chromedp.Run(stepCtx, chromedp.Evaluate[[]string](`window.__cspViolations || ["the violation recorder did not run"]`))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range violations {
		t.Errorf("Content-Security-Policy violation: %s", v)
	}
	if !strings.Contains(strings.Join(requests, " "), "/docs/openapi.json") {
		t.Errorf("the document was not fetched: %v", requests)
	}
}
