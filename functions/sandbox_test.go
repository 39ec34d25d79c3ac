package functions

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

func run(t *testing.T, r *Runner, key, code, input string) *Result {
	t.Helper()
	c := Call{Key: key, Code: code}
	if input != "" {
		c.Input = json.RawMessage(input)
	}
	res, err := r.Run(context.Background(), c)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return res
}

func TestDefaultExportGetsInputAndReturnsJSON(t *testing.T) {
	r := NewRunner(Limits{}, 0)
	res := run(t, r, "sum:1", "export default (input) => ({ sum: input.a + input.b })", `{"a":1,"b":2}`)
	if res.Err != nil || string(res.Output) != `{"sum":3}` {
		t.Fatalf("got %s, %v", res.Output, res.Err)
	}
}

func TestAsyncFunctionsAndCommonJS(t *testing.T) {
	r := NewRunner(Limits{}, 0)
	res := run(t, r, "async:1", "export default async function (input) { const x = await Promise.resolve(input * 2); return [x] }", `21`)
	if res.Err != nil || string(res.Output) != `[42]` {
		t.Fatalf("async: got %s, %v", res.Output, res.Err)
	}
	res = run(t, r, "cjs:1", "module.exports = (i) => 'hi ' + i.name", `{"name":"ada"}`)
	if res.Err != nil || string(res.Output) != `"hi ada"` {
		t.Fatalf("cjs: got %s, %v", res.Output, res.Err)
	}
	res = run(t, r, "undef:1", "export default () => {}", "")
	if res.Err != nil || string(res.Output) != `null` {
		t.Fatalf("undefined: got %s, %v", res.Output, res.Err)
	}
}

func TestThrownErrorsAndRejectionsAreTheFunctionsFailure(t *testing.T) {
	r := NewRunner(Limits{}, 0)
	res := run(t, r, "throw:1", "export default () => { throw new TypeError('bad thing') }", "")
	if res.Err == nil || res.Err.Error() != "TypeError: bad thing" {
		t.Fatalf("throw: %v", res.Err)
	}
	res = run(t, r, "reject:1", "export default async () => { throw new Error('nope') }", "")
	if res.Err == nil || res.Err.Error() != "Error: nope" {
		t.Fatalf("reject: %v", res.Err)
	}
	res = run(t, r, "pending:1", "export default () => new Promise(() => {})", "")
	if res.Err == nil || !strings.Contains(res.Err.Error(), "never settled") {
		t.Fatalf("pending: %v", res.Err)
	}
	for code, want := range map[string]string{
		"export default (":  "syntax error",
		"export default 42": "not a function",
		"":                  "empty",
	} {
		res = run(t, r, "bad:"+code, code, "")
		if res.Err == nil || !strings.Contains(res.Err.Error(), want) {
			t.Errorf("%q: got %v, want %q", code, res.Err, want)
		}
	}
}

func TestAnEndlessLoopIsStoppedAndTheNextCallWorks(t *testing.T) {
	r := NewRunner(Limits{Timeout: 200 * time.Millisecond}, 0)
	res := run(t, r, "loop:1", "export default () => { while (true) {} }", "")
	if res.Err == nil || !strings.Contains(res.Err.Error(), "timeout") {
		t.Fatalf("loop: %v", res.Err)
	}
	res = run(t, r, "loop:1", "export default () => { while (true) {} }", "")
	if res.Err == nil || !strings.Contains(res.Err.Error(), "timeout") {
		t.Fatalf("loop again (a fresh runtime): %v", res.Err)
	}
	res = run(t, r, "ok:1", "export default () => 'alive'", "")
	if res.Err != nil || string(res.Output) != `"alive"` {
		t.Fatalf("next call: %s %v", res.Output, res.Err)
	}
	res = run(t, r, "toplevel:1", "while (true) {}\nexport default () => 1", "")
	if res.Err == nil || !strings.Contains(res.Err.Error(), "stopped") {
		t.Fatalf("top-level loop: %v", res.Err)
	}
}

func TestHugeValuesAreStopped(t *testing.T) {
	r := NewRunner(Limits{MaxHeapGrowth: 32 << 20, Timeout: 60 * time.Second}, 0)
	res := run(t, r, "huge:1", "export default () => { const a = []; for (;;) a.push('x'.repeat(65536) + a.length) }", "")
	if res.Err == nil || !strings.Contains(res.Err.Error(), "memory limit") {
		t.Fatalf("huge: %v", res.Err)
	}
	r = NewRunner(Limits{MaxOutputBytes: 1000}, 0)
	res = run(t, r, "out:1", "export default () => 'y'.repeat(5000)", "")
	if res.Err == nil || !strings.Contains(res.Err.Error(), "more than the 1000 allowed") {
		t.Fatalf("output: %v", res.Err)
	}
}

func TestLogsAreKeptAndBounded(t *testing.T) {
	r := NewRunner(Limits{MaxLogBytes: 100}, 0)
	res := run(t, r, "log:1", `export default (i, ctx) => { console.log("a", 1, {b: 2}); ctx.log("c"); for (let n = 0; n < 50; n++) console.log("line " + n); return 1 }`, "")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Logs[0] != `a 1 {"b":2}` || res.Logs[1] != "c" {
		t.Fatalf("logs: %q", res.Logs)
	}
	if last := res.Logs[len(res.Logs)-1]; !strings.Contains(last, "cut at 100 bytes") {
		t.Fatalf("last log line %q", last)
	}
}

func TestNoNetworkFilesOrProcess(t *testing.T) {
	r := NewRunner(Limits{}, 0)
	res := run(t, r, "env:1", `export default (i, ctx) => [typeof require, typeof process, typeof fetch, typeof XMLHttpRequest, typeof setTimeout, Object.keys(ctx.env).length]`, "")
	if res.Err != nil || string(res.Output) != `["undefined","undefined","undefined","undefined","undefined",0]` {
		t.Fatalf("globals: %s %v", res.Output, res.Err)
	}
	res = run(t, r, "fetch:1", `export default (i, ctx) => ctx.fetch("http://example.com/")`, "")
	if res.Err == nil || !strings.Contains(res.Err.Error(), "fetch is not available") {
		t.Fatalf("fetch without a host: %v", res.Err)
	}
}

func TestRuntimesAreReusedPerKeyOnly(t *testing.T) {
	r := NewRunner(Limits{}, 0)
	code := "let calls = 0; export default () => ++calls"
	run(t, r, "count:1", code, "")
	if res := run(t, r, "count:1", code, ""); string(res.Output) != "2" {
		t.Fatalf("warm call: %s %v", res.Output, res.Err)
	}
	if res := run(t, r, "count:2", code, ""); string(res.Output) != "1" {
		t.Fatalf("another version shares no runtime: %s", res.Output)
	}
}

func TestConcurrentCalls(t *testing.T) {
	r := NewRunner(Limits{}, 2)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := r.Run(context.Background(), Call{Key: "c:1", Code: "export default (i) => i + 1", Input: json.RawMessage("1")})
			if err != nil || res.Err != nil || string(res.Output) != "2" {
				t.Errorf("got %v %v", res, err)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkWarmCall(b *testing.B) {
	r := NewRunner(Limits{}, 0)
	c := Call{Key: "bench:1", Code: "export default (input) => ({ sum: input.a + input.b })", Input: json.RawMessage(`{"a":1,"b":2}`)}
	for b.Loop() {
		if res, err := r.Run(context.Background(), c); err != nil || res.Err != nil {
			b.Fatal(err, res.Err)
		}
	}
}

// Empty lines count against the bound too (each line costs its newline): a loop of
// console.log("") cannot pile up lines until the time limit.
func TestEmptyLogLinesAreBounded(t *testing.T) {
	r := NewRunner(Limits{MaxLogBytes: 100}, 0)
	res := run(t, r, "log:2", `export default () => { for (let n = 0; n < 100000; n++) console.log(""); return 1 }`, "")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if len(res.Logs) > 101 || !strings.Contains(res.Logs[len(res.Logs)-1], "cut at 100 bytes") {
		t.Fatalf("%d log lines, the last %q", len(res.Logs), res.Logs[len(res.Logs)-1])
	}
}
