package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// Limits bound one call. Zero fields take the defaults.
type Limits struct {
	// Timeout is the wall-clock limit of a call (default 5 s).
	Timeout time.Duration
	// MaxOutputBytes bounds the JSON of the result (default 1 MiB).
	MaxOutputBytes int
	// MaxLogBytes bounds what a call logs (default 64 KiB; more is cut with a marker).
	MaxLogBytes int
	// MaxHeapGrowth stops a call when the process heap grows by more than this while it runs
	// (default 256 MiB): goja has no allocator hook, so the guard watches the heap.
	MaxHeapGrowth uint64
}

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = 5 * time.Second
	}
	if l.MaxOutputBytes <= 0 {
		l.MaxOutputBytes = 1 << 20
	}
	if l.MaxLogBytes <= 0 {
		l.MaxLogBytes = 64 << 10
	}
	if l.MaxHeapGrowth == 0 {
		l.MaxHeapGrowth = 256 << 20
	}
	return l
}

// Call is one run of a function version.
type Call struct {
	// Key names the code (function id and version): runtimes are pooled per key, so two
	// functions never share one.
	Key   string
	Code  string
	Input json.RawMessage // nil is null
	// Limits of this call; zero fields take the Runner's.
	Limits Limits
	// Host is what ctx reaches; nil gives a ctx with log only.
	Host Host
}

// Result is what a call produced. Err is the function's failure (a thrown error, a timeout,
// a limit), set together with the logs written before it.
type Result struct {
	Output   json.RawMessage
	Logs     []string
	Err      error
	Duration time.Duration
}

// Error is a failure of the function itself, as opposed to the server's.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func failf(format string, args ...any) *Error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Runner runs calls with pooled runtimes and a bound on how many run at once.
type Runner struct {
	limits Limits
	slots  chan struct{}

	mu   sync.Mutex
	idle map[string][]*instance
	keys []string // pooled keys, oldest first, to bound the pool
}

// maxIdlePerKey and maxPooledKeys bound the runtimes kept warm.
const (
	maxIdlePerKey = 4
	maxPooledKeys = 128
)

// NewRunner makes a runner; concurrent bounds the calls running at once (default 2 per core).
func NewRunner(limits Limits, concurrent int) *Runner {
	if concurrent <= 0 {
		concurrent = 2 * runtime.GOMAXPROCS(0)
	}
	return &Runner{limits: limits.withDefaults(), slots: make(chan struct{}, concurrent), idle: map[string][]*instance{}}
}

// instance is a runtime with a module loaded.
type instance struct {
	vm      *goja.Runtime
	fn      goja.Callable
	toJSON  goja.Callable
	promise func(goja.Value) (*goja.Promise, bool)
	// maxAlloc is the largest block one built-in may allocate at once (the call's heap limit).
	maxAlloc atomic.Uint64
}

var (
	errTimeout = errors.New("timeout")
	errMemory  = errors.New("memory")
)

// Check compiles code without running it, for a clear error at save time.
func Check(code string) error {
	if _, err := compile("check.js", code); err != nil {
		return &Error{Msg: err.Error()}
	}
	return nil
}

// Run runs one call. The error is the server's (no slot before ctx ended); the function's own
// failures are in Result.Err.
func (r *Runner) Run(ctx context.Context, c Call) (*Result, error) {
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("functions: waiting for a free slot: %w", ctx.Err())
	}
	defer func() { <-r.slots }()
	lim := c.Limits
	if lim.Timeout <= 0 || lim.Timeout > r.limits.Timeout {
		lim.Timeout = r.limits.Timeout
	}
	if lim.MaxOutputBytes <= 0 || lim.MaxOutputBytes > r.limits.MaxOutputBytes {
		lim.MaxOutputBytes = r.limits.MaxOutputBytes
	}
	if lim.MaxLogBytes <= 0 || lim.MaxLogBytes > r.limits.MaxLogBytes {
		lim.MaxLogBytes = r.limits.MaxLogBytes
	}
	if lim.MaxHeapGrowth == 0 || lim.MaxHeapGrowth > r.limits.MaxHeapGrowth {
		lim.MaxHeapGrowth = r.limits.MaxHeapGrowth
	}
	start := time.Now()
	res := &Result{}
	logs := &logSink{max: lim.MaxLogBytes}
	inst, err := r.take(c.Key, c.Code)
	if err != nil {
		res.Err, res.Duration = err, time.Since(start)
		return res, nil
	}
	callCtx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	inst.maxAlloc.Store(lim.MaxHeapGrowth)
	stopGuard := guard(callCtx, inst.vm, lim.MaxHeapGrowth)
	out, runErr := inst.call(callCtx, c, logs, lim.MaxOutputBytes)
	interrupted := stopGuard()
	res.Logs, res.Duration = logs.lines, time.Since(start)
	switch {
	case runErr == nil:
		res.Output = out
	case interrupted:
		res.Err = interruptError(runErr, lim, ctx)
	default:
		res.Err = runErr
	}
	if interrupted {
		return res, nil // an interrupted runtime may hold half-built state: never reuse it
	}
	r.give(c.Key, inst)
	return res, nil
}

func interruptError(err error, lim Limits, parent context.Context) error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		switch ie.Value() {
		case errTimeout:
			if parent.Err() != nil {
				return failf("the call was cancelled: %v", parent.Err())
			}
			return failf("timeout: the function ran longer than %s and was stopped", lim.Timeout)
		case errMemory:
			return failf("memory limit: the function grew the heap by more than %d MiB and was stopped", lim.MaxHeapGrowth>>20)
		}
	}
	return err
}

// guard interrupts vm when ctx ends or the heap grows past max; the returned func stops it
// and reports whether it interrupted.
func guard(ctx context.Context, vm *goja.Runtime, max uint64) func() bool {
	done := make(chan struct{})
	var fired bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		base := heapBytes()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				fired = true
				vm.Interrupt(errTimeout)
				return
			case <-tick.C:
				// The baseline follows the heap down: a collection of other garbage after the
				// call began must not hide what the call itself holds.
				h := heapBytes()
				base = min(base, h)
				if h-base > max {
					fired = true
					vm.Interrupt(errMemory)
					return
				}
			}
		}
	}()
	return func() bool {
		close(done)
		wg.Wait()
		return fired
	}
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
var heapMu sync.Mutex

func heapBytes() uint64 {
	heapMu.Lock()
	defer heapMu.Unlock()
	metrics.Read(heapSample)
	if heapSample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return heapSample[0].Value.Uint64()
}

func (r *Runner) take(key, code string) (*instance, error) {
	r.mu.Lock()
	if list := r.idle[key]; len(list) > 0 {
		inst := list[len(list)-1]
		r.idle[key] = list[:len(list)-1]
		r.mu.Unlock()
		return inst, nil
	}
	r.mu.Unlock()
	return newInstance(key, code, r.limits.MaxHeapGrowth)
}

func (r *Runner) give(key string, inst *instance) {
	inst.vm.ClearInterrupt()
	r.mu.Lock()
	defer r.mu.Unlock()
	list, known := r.idle[key]
	if len(list) >= maxIdlePerKey {
		return
	}
	if !known {
		r.keys = append(r.keys, key)
		if len(r.keys) > maxPooledKeys {
			delete(r.idle, r.keys[0])
			r.keys = r.keys[1:]
		}
	}
	r.idle[key] = append(list, inst)
}

// Forget drops the warm runtimes of a key (a deleted function).
func (r *Runner) Forget(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.idle, key)
}

func newInstance(key, code string, maxAlloc uint64) (*instance, error) {
	prog, err := compile(key+".js", code)
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	vm := goja.New()
	vm.SetFieldNameMapper(goja.UncapFieldNameMapper())
	inst := &instance{vm: vm}
	inst.maxAlloc.Store(maxAlloc)
	if err := installAllocChecks(vm, &inst.maxAlloc); err != nil {
		return nil, fmt.Errorf("functions: allocation checks: %w", err)
	}
	wrapper, err := vm.RunProgram(prog)
	if err != nil {
		return nil, failf("loading the module: %v", err)
	}
	wrap, ok := goja.AssertFunction(wrapper)
	if !ok {
		return nil, failf("loading the module: not a module")
	}
	module := vm.NewObject()
	exports := vm.NewObject()
	_ = module.Set("exports", exports)
	// Loading runs the module's top level, so it runs under the same guard as calls.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	stop := guard(ctx, vm, 256<<20)
	exported, err := wrap(goja.Undefined(), module, exports)
	interrupted := stop()
	cancel()
	if err != nil {
		if interrupted {
			return nil, failf("loading the module took too long or too much memory and was stopped")
		}
		return nil, failf("loading the module: %s", jsMessage(err))
	}
	fn, ok := goja.AssertFunction(exported)
	if !ok {
		return nil, failf("the module's default export is not a function: export default (input, ctx) => output")
	}
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	inst.fn, inst.toJSON = fn, stringify
	return inst, nil
}

// call runs the default export with input and a fresh ctx, waits for its promise (the job
// queue runs when the outermost call returns) and encodes the output as JSON.
func (inst *instance) call(ctx context.Context, c Call, logs *logSink, maxOut int) (json.RawMessage, error) {
	vm := inst.vm
	input := goja.Null()
	if len(c.Input) > 0 {
		v, err := inst.parseJSON(c.Input)
		if err != nil {
			return nil, failf("input is not JSON: %v", err)
		}
		input = v
	}
	jsctx := newJSContext(ctx, vm, c.Host, logs)
	_ = vm.Set("console", jsctx.Get("console"))
	v, err := inst.fn(goja.Undefined(), input, jsctx)
	if err != nil {
		if _, ok := err.(*goja.InterruptedError); ok {
			return nil, err
		}
		return nil, failf("%s", jsMessage(err))
	}
	if p, ok := v.Export().(*goja.Promise); ok {
		switch p.State() {
		case goja.PromiseStateFulfilled:
			v = p.Result()
		case goja.PromiseStateRejected:
			return nil, failf("%s", jsValueMessage(p.Result()))
		default:
			return nil, failf("the function's promise never settled (only ctx calls may be awaited)")
		}
	}
	if goja.IsUndefined(v) {
		v = goja.Null()
	}
	s, err := inst.toJSON(goja.Undefined(), v)
	if err != nil {
		if _, ok := err.(*goja.InterruptedError); ok {
			return nil, err
		}
		return nil, failf("the output cannot be encoded as JSON: %s", jsMessage(err))
	}
	if goja.IsUndefined(s) {
		return json.RawMessage("null"), nil
	}
	out := s.String()
	if len(out) > maxOut {
		return nil, failf("the output is %d bytes of JSON, more than the %d allowed", len(out), maxOut)
	}
	return json.RawMessage(out), nil
}

func (inst *instance) parseJSON(raw []byte) (goja.Value, error) {
	parse, _ := goja.AssertFunction(inst.vm.Get("JSON").ToObject(inst.vm).Get("parse"))
	v, err := parse(goja.Undefined(), inst.vm.ToValue(string(raw)))
	if err != nil {
		return nil, errors.New(jsMessage(err))
	}
	return v, nil
}

func jsMessage(err error) string {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return jsValueMessage(ex.Value())
	}
	return err.Error()
}

func jsValueMessage(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return "the function failed"
	}
	if o, ok := v.(*goja.Object); ok {
		if m := o.Get("message"); m != nil && !goja.IsUndefined(m) {
			name := "Error"
			if n := o.Get("name"); n != nil && !goja.IsUndefined(n) {
				name = n.String()
			}
			return name + ": " + m.String()
		}
	}
	return v.String()
}
