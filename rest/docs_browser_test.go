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
// operation of the OpenAPI document (one entry per route), the served ones apart from those
// that answer 501, filter them, load nothing from outside the server, log no errors and
// violate no Content-Security-Policy directive.
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
	if err != nil || sections != "botpress,botpress-chat,airsequel" {
		t.Errorf("sections %q %v", sections, err)
	}
	assertServedApart(t, stepCtx)
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

// docsLayout is what the docs page shows of one dialect's section.
type docsLayout struct {
	Dialect string `json:"dialect"`
	// Served and Unserved count the entries under "Served" and inside the collapsed group of
	// unavailable routes; the Badged ones carry the "not available" badge.
	Served, Unserved             int
	ServedBadged, UnservedBadged int
	// ServedNoDescription counts served entries whose body has no description paragraph.
	ServedNoDescription int
	// GroupOpen: the unavailable group is open before any filter.
	GroupOpen bool
	// VisibleServed, VisibleUnserved: entries a reader sees without opening anything.
	VisibleServed, VisibleUnserved int
}

// assertServedApart checks that each dialect's section lists the routes gqlbase serves first,
// each with its description, and keeps the 501 routes in a collapsed group of their own.
func assertServedApart(t *testing.T, ctx context.Context) {
	t.Helper()
	layout, err := chromedp.Run(ctx, chromedp.Evaluate[[]docsLayout](`Array.from(document.querySelectorAll('section.dialect')).map((s) => {
		const served = Array.from(s.querySelectorAll(':scope > .served > details.op'));
		const group = s.querySelector(':scope > details.unavailable');
		const unserved = group ? Array.from(group.querySelectorAll(':scope > details.op')) : [];
		const visible = (e) => e.checkVisibility();
		return {dialect: s.querySelector('h2').textContent,
			Served: served.length, Unserved: unserved.length,
			ServedBadged: served.filter((d) => d.querySelector('.na')).length,
			UnservedBadged: unserved.filter((d) => d.querySelector('.na')).length,
			ServedNoDescription: served.filter((d) => !d.querySelector('.body > p:not(.summary)')).length,
			GroupOpen: !!(group && group.open),
			VisibleServed: served.filter(visible).length, VisibleUnserved: unserved.filter(visible).length};
	})`))
	if err != nil {
		t.Fatalf("read the page's sections: %v", err)
	}
	byName := map[string]docsLayout{}
	for _, l := range layout {
		byName[l.Dialect] = l
		if l.Served == 0 || l.ServedBadged != 0 || l.ServedNoDescription != 0 || l.VisibleServed != l.Served {
			t.Errorf("%s: served routes must all show, without the not-available badge, each with a description: %+v", l.Dialect, l)
		}
		if l.UnservedBadged != l.Unserved || l.GroupOpen || l.VisibleUnserved != 0 {
			t.Errorf("%s: unserved routes must be badged and collapsed apart: %+v", l.Dialect, l)
		}
	}
	if a := byName["airsequel"]; a.Unserved < 35 || a.Served < 45 {
		t.Errorf("airsequel: %d served and %d unserved routes on the page", a.Served, a.Unserved)
	}
	if b := byName["botpress"]; b.Served < 14 || b.Unserved != 0 {
		t.Errorf("botpress: %d served and %d unserved routes on the page", b.Served, b.Unserved)
	}
	// a filter that matches only unserved routes opens their group
	if err := chromedp.Do(ctx, chromedp.SendKeys(`#filter`, "dashboards")); err != nil {
		t.Fatal(err)
	}
	open, err := chromedp.Run(ctx, chromedp.Poll[int](`(() => {
		const g = document.querySelector('#dialect-airsequel > details.unavailable');
		const n = Array.from(g.querySelectorAll('details.op')).filter((d) => d.checkVisibility()).length;
		return g.open && n > 0 ? n : null; })()`, chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil || open != 4 {
		t.Errorf("filter dashboards: %d unserved routes shown, want 4 (%v)", open, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const f = document.getElementById('filter');
		f.value = ''; return f.dispatchEvent(new Event('input')); })()`)); err != nil {
		t.Fatalf("clear the filter: %v", err)
	}
}
