package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/gqlbase/gqlbase/internal/testserver"
)

// pageActivity records what the page did: every URL it requested (HTTP and WebSocket), and
// every error it logged (exceptions, console errors, CSP violations).
type pageActivity struct {
	mu       sync.Mutex
	requests []string
	problems []string
}

func (a *pageActivity) listen(ev any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		u := ev.Request.URL
		if strings.HasPrefix(u, "data:") && len(u) > 40 {
			u = u[:40] + "..." // embedded fonts: long, and not a network request
		}
		a.requests = append(a.requests, u)
	case *network.EventWebSocketCreated:
		a.requests = append(a.requests, ev.URL)
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		a.problems = append(a.problems, "exception: "+msg)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, arg := range ev.Args {
				if arg.Description != "" {
					parts = append(parts, arg.Description)
				} else {
					parts = append(parts, string(arg.Value))
				}
			}
			a.problems = append(a.problems, "console.error: "+strings.Join(parts, " "))
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			a.problems = append(a.problems, fmt.Sprintf("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

func (a *pageActivity) snapshot() (requests, problems []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.requests...), append([]string(nil), a.problems...)
}

// browserStep returns step, which runs actions in the browser within timeout and, when they
// do not complete, fails the test with name, the requests and the page's problems so far.
func browserStep(t *testing.T, ctx context.Context, activity *pageActivity) func(name string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	return func(name string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		stepCtx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := chromedp.Do(stepCtx, actions...); err != nil {
			requests, problems := activity.snapshot()
			t.Fatalf("%s: %v\nrequests: %v\npage problems: %v", name, err, requests, problems)
		}
	}
}

// TestPlaygroundInHeadlessChromium opens GraphiQL at /playground in headless
// Chromium; without a token its default text fits the window and its query answers
// UNAUTHENTICATED, as the text says. It puts the admin token in the headers editor, runs { me { kind scopes } } with the
// run button and reads the answer from the result pane; then it runs a subscription, which
// must go over a WebSocket to the same endpoint. The page must load nothing from outside the
// server, log no errors and violate no Content-Security-Policy directive.
func TestPlaygroundInHeadlessChromium(t *testing.T) {
	srv := testserver.Start(t)
	server, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, activity := startBrowser(t)
	step := browserStep(t, ctx, activity)

	const (
		queryEditor   = `.graphiql-query-editor .CodeMirror`
		headersTab    = `//div[contains(@class,"graphiql-editor-tools")]//button[normalize-space()="Headers"]`
		headersEditor = `section.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror`
		runButton     = `button.graphiql-execute-button`
		resultEditor  = `.graphiql-response .CodeMirror`
	)
	step("open the playground", 30*time.Second,
		recordCSPViolations,
		chromedp.Navigate(srv.URL+"/playground"),
		chromedp.WaitVisible(chromedp.CSS(queryEditor)),
		chromedp.WaitVisible(chromedp.CSS(runButton)),
	)
	// Without a token the editor says that one is needed, in lines that fit the window, and
	// its query answers UNAUTHENTICATED, as it says.
	openCtx, cancelOpen := context.WithTimeout(ctx, 40*time.Second)
	defer cancelOpen()
	first := waitEditor(t, openCtx, activity, "the default text", queryEditor, `v.includes("UNAUTHENTICATED")`)
	if !strings.Contains(first, "Headers tab") || !strings.Contains(first, "admin-token") {
		t.Errorf("the default text does not say where the token goes and where to get one:\n%s", first)
	}
	assertEditorFits(t, openCtx, queryEditor)
	step("run the default query without a token", 15*time.Second, chromedp.Click(chromedp.CSS(runButton)))
	unauth := waitEditor(t, openCtx, activity, "the answer without a token", resultEditor, `v.includes('"errors"') || v.includes('"data"')`)
	if !strings.Contains(unauth, "UNAUTHENTICATED") {
		t.Errorf("without a token the default query answered, not UNAUTHENTICATED as its text says:\n%s", unauth)
	}

	headers, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + srv.AdminToken})
	step("put the token in the headers editor", 15*time.Second,
		chromedp.Click(chromedp.Search(headersTab)),
		chromedp.WaitVisible(chromedp.CSS(headersEditor)),
		setEditor(headersEditor, string(headers)),
		setEditor(queryEditor, "{ me { kind scopes } }"),
	)
	step("run the query", 15*time.Second, chromedp.Click(chromedp.CSS(runButton)))

	resultCtx, cancelResult := context.WithTimeout(ctx, 40*time.Second)
	defer cancelResult()
	// waitResult waits until the result pane shows a response other than previous.
	waitResult := func(previous string) string {
		t.Helper()
		result, err := chromedp.Run(resultCtx, chromedp.Poll[string](
			`(() => { const e = document.querySelector(`+jsString(resultEditor)+`);
			          const v = e && e.CodeMirror ? e.CodeMirror.getValue() : "";
			          return v !== `+jsString(previous)+` && (v.includes('"data"') || v.includes('"errors"')) ? v : null; })()`,
			chromedp.WithPollingInterval(100*time.Millisecond)))
		if err != nil {
			requests, problems := activity.snapshot()
			t.Fatalf("no result in the result pane: %v\nrequests: %v\npage problems: %v", err, requests, problems)
		}
		t.Logf("result pane:\n%s", result)
		return result
	}
	result := waitResult(unauth)
	if !strings.Contains(result, `"kind": "TOKEN"`) {
		t.Errorf(`result pane lacks "kind": "TOKEN" (was the Authorization header sent?):\n%s`, result)
	}
	if !strings.Contains(result, `"ADMIN"`) {
		t.Errorf("result pane lacks the admin scope:\n%s", result)
	}

	_, problems := activity.snapshot()
	for _, p := range problems {
		t.Errorf("page problem: %s", p)
	}

	// A subscription goes over a WebSocket to the same endpoint, authenticated by the same
	// headers in connection_init: the server answers whatever the schema says about it.
	// (GraphiQL leaves an error answer to a subscription as an unhandled promise rejection:
	// page problems from here on are only logged.)
	step("run a subscription", 15*time.Second,
		setEditor(queryEditor, "subscription { __typename }"),
		// GraphiQL parses the edited document a moment later; its fetcher picks the
		// WebSocket from that parse.
		discard(chromedp.Poll[bool](`(() => { const e = document.querySelector(`+jsString(queryEditor)+`);
			const doc = e && e.CodeMirror && e.CodeMirror.documentAST;
			return !!doc && doc.definitions.some((d) => d.operation === "subscription"); })()`,
			chromedp.WithPollingInterval(50*time.Millisecond))),
		chromedp.Click(chromedp.CSS(runButton)),
	)
	waitResult(result)
	wsURL := "ws://" + server.Host + "/graphql"
	requests, after := activity.snapshot()
	for _, p := range after[len(problems):] {
		t.Logf("page problem after the subscription: %s", p)
	}
	if !slices.Contains(requests, wsURL) {
		t.Errorf("the subscription did not open a WebSocket to %s; requests: %v", wsURL, requests)
	}

	if len(requests) == 0 {
		t.Fatal("no network request was recorded")
	}
	t.Logf("the page made %d requests: %v", len(requests), requests)
	for _, raw := range requests {
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("page requested an unparsable URL %q", raw)
			continue
		}
		switch {
		case u.Scheme == "data" || raw == "about:blank":
		case (u.Scheme == "http" || u.Scheme == "ws") && u.Host == server.Host:
		default:
			t.Errorf("page requested %s: only %s may be contacted", raw, server.Host)
		}
		if strings.Contains(raw, srv.AdminToken) {
			t.Errorf("the token travelled in a URL: %s", raw)
		}
	}
	violations, err := chromedp.Run(resultCtx, chromedp.Evaluate[[]string](`window.__cspViolations || ["the violation recorder did not run"]`))
	if err != nil {
		t.Fatalf("read the Content-Security-Policy violations: %v", err)
	}
	for _, v := range violations {
		t.Errorf("Content-Security-Policy violation: %s", v)
	}
}

// recordCSPViolations makes every document of the tab collect its Content-Security-Policy
// violations in window.__cspViolations.
func recordCSPViolations(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__cspViolations = [];
			document.addEventListener('securitypolicyviolation', (e) => {
				window.__cspViolations.push(e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
			});`,
	})
	return chromedp.Void{}, err
}

// setEditor replaces the text of the CodeMirror editor under sel, as typing does: GraphiQL
// hears the change event and reads the editor when it runs the operation.
func setEditor(sel, text string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		ok, err := chromedp.Evaluate[bool](`(() => { const e = document.querySelector(`+jsString(sel)+`);
			if (!e || !e.CodeMirror) return false;
			e.CodeMirror.setValue(`+jsString(text)+`); return true; })()`)(ctx, t)
		if err == nil && !ok {
			err = fmt.Errorf("no CodeMirror editor at %s", sel)
		}
		return chromedp.Void{}, err
	}
}

// discard drops an action's value, for a list of steps.
func discard[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
