package rest_test

import (
	"context"
	"errors"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumNames are the executables a Chromium-based browser goes by on Linux distributions
// (Debian: chromium; Ubuntu and Fedora: chromium-browser; Google's build: google-chrome).
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// findChromium returns the browser the browser tests drive: $CHROME_BIN when set, else the
// first of chromiumNames on PATH.
func findChromium() (string, error) {
	if bin := os.Getenv("CHROME_BIN"); bin != "" {
		path, err := osexec.LookPath(bin)
		if err != nil {
			return "", errors.New("CHROME_BIN=" + bin + " is not an executable: " + err.Error())
		}
		return path, nil
	}
	for _, name := range chromiumNames {
		if path, err := osexec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", errors.New("no Chromium found: set CHROME_BIN, or put one of " + strings.Join(chromiumNames, ", ") +
		" on PATH (Debian: apt-get install -y chromium)")
}

// browserWidth and browserHeight are the window the pages must fit: a common laptop screen.
const (
	browserWidth  = 1400
	browserHeight = 900
)

// startBrowser starts headless Chromium for one test, with a browserWidth×browserHeight
// window, and returns its tab and the tab's recorded activity. The browser lives until the
// test ends; when the test failed, a screenshot of the tab is kept in a folder the log names
// (t.TempDir would delete it with the test).
func startBrowser(t *testing.T) (context.Context, *pageActivity) {
	t.Helper()
	bin, err := findChromium()
	if err != nil {
		t.Fatalf("the browser tests need Chromium: %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(browserWidth, browserHeight),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	activity := &pageActivity{}
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(activity.listen))
	t.Cleanup(cancel)
	// Start the browser without a deadline (a deadline on the first run would bound the
	// browser's life); callers bound each step.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	stepCtx, cancelStep := context.WithTimeout(ctx, 30*time.Second)
	defer cancelStep()
	if err := chromedp.Do(stepCtx, chromedp.EmulateViewport(browserWidth, browserHeight)); err != nil {
		t.Fatalf("set the viewport to %dx%d: %v", browserWidth, browserHeight, err)
	}
	// Registered last, so it runs first: the tab is still open.
	t.Cleanup(func() { keepScreenshotOnFailure(t, ctx) })
	return ctx, activity
}

// keepScreenshotOnFailure saves what the tab showed when the test failed.
func keepScreenshotOnFailure(t *testing.T, ctx context.Context) {
	if !t.Failed() {
		return
	}
	shotCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(shotCtx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("no screenshot of the failed page: %v", err)
		return
	}
	dir, err := os.MkdirTemp("", "gqlbase-"+strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())+"-")
	if err != nil {
		t.Logf("no folder for the screenshot: %v", err)
		return
	}
	path := filepath.Join(dir, "failure.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("write the screenshot: %v", err)
		return
	}
	t.Logf("screenshot of the failed page: %s", path)
}

// Selectors of GraphiQL 3's page.
const (
	gqlQueryEditor   = `.graphiql-query-editor .CodeMirror`
	gqlHeadersTab    = `//div[contains(@class,"graphiql-editor-tools")]//button[normalize-space()="Headers"]`
	gqlHeadersEditor = `section.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror`
	gqlRunButton     = `button.graphiql-execute-button`
	gqlResultEditor  = `.graphiql-response .CodeMirror`
	gqlDocsButton    = `button[aria-label="Show Documentation Explorer"]`
	gqlDocs          = `.graphiql-doc-explorer`
)

// editorText reads the CodeMirror editor under sel.
func editorText(sel string) chromedp.Action[string] {
	return chromedp.Evaluate[string](`(() => { const e = document.querySelector(` + jsString(sel) + `);
		return e && e.CodeMirror ? e.CodeMirror.getValue() : ""; })()`)
}

// assertEditorFits fails the test when a line of the editor under sel is wider than the
// editor: its end would be cut off, behind a horizontal scroll bar.
func assertEditorFits(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	fit, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`(() => {
		const e = document.querySelector(`+jsString(sel)+`);
		const i = e.CodeMirror.getScrollInfo();
		const scroller = e.querySelector('.CodeMirror-scroll');
		return {content: i.width, visible: i.clientWidth, scrollWidth: scroller.scrollWidth, clientWidth: scroller.clientWidth,
			editor: e.getBoundingClientRect().width, window: window.innerWidth};
	})()`))
	if err != nil {
		t.Fatalf("measure the editor %s: %v", sel, err)
	}
	t.Logf("editor %s: %v", sel, fit)
	if fit["window"] != browserWidth {
		t.Errorf("the window is %v wide, want %d", fit["window"], browserWidth)
	}
	if fit["content"] > fit["visible"] {
		text, _ := chromedp.Run(ctx, editorText(sel))
		t.Errorf("the editor's text is %vpx wide but only %vpx show at %dx%d: lines are cut:\n%s",
			fit["content"], fit["visible"], browserWidth, browserHeight, text)
	}
}

// waitEditor waits until the editor under sel holds text that satisfies the JavaScript
// predicate ok (over v), and returns it.
func waitEditor(t *testing.T, ctx context.Context, activity *pageActivity, what, sel, ok string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const e = document.querySelector(`+jsString(sel)+`);
		const v = e && e.CodeMirror ? e.CodeMirror.getValue() : "";
		return (`+ok+`) ? v : null; })()`, chromedp.WithPollingInterval(100*time.Millisecond)))
	if err != nil {
		requests, problems := activity.snapshot()
		last, _ := chromedp.Run(context.WithoutCancel(ctx), editorText(sel))
		t.Fatalf("%s: %v\neditor holds: %s\nrequests: %v\npage problems: %v", what, err, last, requests, problems)
	}
	return v
}

// TestFindChromium: CHROME_BIN wins; without it, any of the usual names on PATH is found.
func TestFindChromium(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "chromium-browser")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	t.Setenv("CHROME_BIN", "")
	if got, err := findChromium(); err != nil || got != fake {
		t.Errorf("on PATH: %q, %v; want %s", got, err, fake)
	}
	other := filepath.Join(t.TempDir(), "my-chrome")
	if err := os.WriteFile(other, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CHROME_BIN", other)
	if got, err := findChromium(); err != nil || got != other {
		t.Errorf("CHROME_BIN: %q, %v; want %s", got, err, other)
	}
	t.Setenv("CHROME_BIN", filepath.Join(dir, "missing"))
	if _, err := findChromium(); err == nil {
		t.Error("a CHROME_BIN that does not exist was accepted")
	}
	t.Setenv("CHROME_BIN", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := findChromium(); err == nil {
		t.Error("found a browser on an empty PATH")
	}
}
