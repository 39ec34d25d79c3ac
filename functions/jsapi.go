package functions

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dop251/goja"
)

// Host is what a call's ctx reaches. The caller implements it with the function's own
// principal, never the rights of whoever triggered the call.
type Host interface {
	// Env is the database's environment variables (ctx.env).
	Env() map[string]string
	// DB reads and writes rows (ctx.db); values travel as JSON.
	DB() DB
	// Fetch makes an HTTP request (ctx.fetch); it refuses hosts the workspace did not allow.
	Fetch(ctx context.Context, req FetchRequest) (*FetchResponse, error)
}

// DB is ctx.db: rows of the function's database, by table name.
type DB interface {
	List(ctx context.Context, table string, opts json.RawMessage) (json.RawMessage, error)
	Get(ctx context.Context, table string, id int64) (json.RawMessage, error)
	Insert(ctx context.Context, table string, values json.RawMessage) (json.RawMessage, error)
	Update(ctx context.Context, table string, id int64, values json.RawMessage) (json.RawMessage, error)
	Delete(ctx context.Context, table string, id int64) error
}

// FetchRequest is ctx.fetch's request.
type FetchRequest struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// FetchResponse is what ctx.fetch answers (the body as text, bounded by the host).
type FetchResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// logSink keeps a call's log lines up to max bytes.
type logSink struct {
	max, used int
	cut       bool
	lines     []string
}

func (l *logSink) add(line string) {
	if l.cut {
		return
	}
	// A line costs its newline too, so empty lines cannot pile up without bound.
	cost := len(line) + 1
	if l.used+cost > l.max {
		l.cut = true
		l.lines = append(l.lines, fmt.Sprintf("… the log was cut at %d bytes", l.max))
		return
	}
	l.used += cost
	l.lines = append(l.lines, line)
}

// newJSContext builds the ctx argument of one call.
func newJSContext(ctx context.Context, vm *goja.Runtime, host Host, logs *logSink) *goja.Object {
	o := vm.NewObject()
	logFn := func(call goja.FunctionCall) goja.Value {
		parts := make([]string, len(call.Arguments))
		for i, a := range call.Arguments {
			parts[i] = logText(vm, a)
		}
		logs.add(strings.Join(parts, " "))
		return goja.Undefined()
	}
	console := vm.NewObject()
	for _, name := range []string{"log", "info", "warn", "error", "debug"} {
		_ = console.Set(name, logFn)
	}
	_ = o.Set("console", console)
	_ = o.Set("log", logFn)
	env := vm.NewObject()
	if host != nil {
		for k, v := range host.Env() {
			_ = env.Set(k, v)
		}
	}
	_ = o.Set("env", env)
	_ = o.Set("db", newJSDB(ctx, vm, host))
	_ = o.Set("fetch", func(call goja.FunctionCall) goja.Value {
		if host == nil {
			throw(vm, "fetch is not available here")
		}
		req := FetchRequest{URL: call.Argument(0).String(), Method: "GET"}
		if opts := call.Argument(1); !goja.IsUndefined(opts) && !goja.IsNull(opts) {
			if err := decode(vm, opts, &req); err != nil {
				throw(vm, "fetch options: "+err.Error())
			}
			req.URL = call.Argument(0).String()
		}
		resp, err := host.Fetch(ctx, req)
		if err != nil {
			throw(vm, "fetch: "+err.Error())
		}
		return vm.ToValue(map[string]any{"status": resp.Status, "headers": resp.Headers, "body": resp.Body})
	})
	return o
}

func newJSDB(ctx context.Context, vm *goja.Runtime, host Host) *goja.Object {
	o := vm.NewObject()
	db := func() DB {
		if host == nil || host.DB() == nil {
			throw(vm, "ctx.db is not available here")
		}
		return host.DB()
	}
	result := func(raw json.RawMessage, err error) goja.Value {
		if err != nil {
			throw(vm, err.Error())
		}
		return parse(vm, raw)
	}
	_ = o.Set("list", func(c goja.FunctionCall) goja.Value {
		return result(db().List(ctx, c.Argument(0).String(), encode(vm, c.Argument(1))))
	})
	_ = o.Set("get", func(c goja.FunctionCall) goja.Value {
		return result(db().Get(ctx, c.Argument(0).String(), c.Argument(1).ToInteger()))
	})
	_ = o.Set("insert", func(c goja.FunctionCall) goja.Value {
		return result(db().Insert(ctx, c.Argument(0).String(), encode(vm, c.Argument(1))))
	})
	_ = o.Set("update", func(c goja.FunctionCall) goja.Value {
		return result(db().Update(ctx, c.Argument(0).String(), c.Argument(1).ToInteger(), encode(vm, c.Argument(2))))
	})
	_ = o.Set("delete", func(c goja.FunctionCall) goja.Value {
		if err := db().Delete(ctx, c.Argument(0).String(), c.Argument(1).ToInteger()); err != nil {
			throw(vm, err.Error())
		}
		return vm.ToValue(true)
	})
	return o
}

// throw raises a JavaScript Error in the running call.
func throw(vm *goja.Runtime, msg string) {
	panic(vm.NewGoError(fmt.Errorf("%s", msg)))
}

func encode(vm *goja.Runtime, v goja.Value) json.RawMessage {
	if v == nil || goja.IsUndefined(v) {
		return nil
	}
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	s, err := stringify(goja.Undefined(), v)
	if err != nil {
		panic(err)
	}
	return json.RawMessage(s.String())
}

func decode(vm *goja.Runtime, v goja.Value, into any) error {
	return json.Unmarshal(encode(vm, v), into)
}

func parse(vm *goja.Runtime, raw json.RawMessage) goja.Value {
	if len(raw) == 0 {
		return goja.Null()
	}
	p, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	v, err := p(goja.Undefined(), vm.ToValue(string(raw)))
	if err != nil {
		panic(err)
	}
	return v
}

func logText(vm *goja.Runtime, v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if s, ok := v.Export().(string); ok {
		return s
	}
	if _, ok := v.(*goja.Object); ok {
		defer func() { _ = recover() }() // cyclic values log as their string form
		if raw := encode(vm, v); len(raw) > 0 {
			return string(raw)
		}
	}
	return v.String()
}
