package functions

import (
	"context"
	"encoding/json"
	"fmt"
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

// Built-ins that allocate a size their arguments choose check it first: a block larger than
// the call's heap limit is a RangeError (here 64 MiB against a 32 MiB limit), while the
// built-ins keep working below it.
func TestSizedAllocationsAreRefusedBeforeTheyHappen(t *testing.T) {
	r := NewRunner(Limits{MaxHeapGrowth: 32 << 20}, 0)
	for i, expr := range []string{
		"new ArrayBuffer(64 * 2**20)",
		"new Float64Array(8 * 2**20)",
		"new Uint8Array({length: 64 * 2**20})",
		"Uint8Array.from({length: 64 * 2**20})",
		"new (class extends Int32Array {})(16 * 2**20)",
		"'x'.repeat(32 * 2**20)",
		"'é'.padStart(32 * 2**20)",
		"''.padEnd(Infinity)",
	} {
		code := "export default () => { try { " + expr + "; return 'allocated' } catch (e) { return e.name + ': ' + e.message } }"
		res := run(t, r, fmt.Sprintf("alloc:%d", i), code, "")
		if res.Err != nil || !strings.HasPrefix(string(res.Output), `"RangeError: `) {
			t.Errorf("%s: %s %v", expr, res.Output, res.Err)
		}
	}
	ok := `export default () => {
		const b = new ArrayBuffer(8), v = new Uint8Array(b), w = new Uint16Array([1, 2, 3]);
		class Sub extends Uint8Array {}
		return [b instanceof ArrayBuffer, v instanceof Uint8Array, v.buffer === b, w.length, new Sub(2) instanceof Uint8Array,
			Uint8Array.from([1, 2]).length, "ab".repeat(2), "7".padStart(3, "0"), "7".padEnd(2, "!"), String.prototype.repeat.name,
			Uint8Array.name, new Uint8Array(1).constructor === Uint8Array]
	}`
	res := run(t, r, "alloc:ok", ok, "")
	if want := `[true,true,true,3,true,2,"abab","007","7!","repeat","Uint8Array",true]`; res.Err != nil || string(res.Output) != want {
		t.Fatalf("below the limit: %s %v, want %s", res.Output, res.Err, want)
	}
}
