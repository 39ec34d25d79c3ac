package functions

import (
	"sync/atomic"

	"github.com/dop251/goja"
)

// The heap guard (guard in sandbox.go) samples the heap every few milliseconds, so it stops
// values built step by step; one call that asks for a huge block at once (new
// ArrayBuffer(2**34), "x".repeat(2**33)) would get it from the Go runtime before the next
// sample, and an allocation the machine cannot back ends the whole process. The built-ins
// that allocate a size their arguments choose are wrapped so the size is checked first, and
// a request above the call's limit is a RangeError the function can see. Built-ins that grow
// gradually (push, join, concatenation) are left to the heap guard.
const allocPrelude = `(function (tooBig) {
	"use strict";
	const check = (what, bytes) => {
		if (tooBig(bytes)) throw new RangeError(what + " would allocate " + Math.ceil(bytes / 1048576) +
			" MiB at once, more than a function may hold");
	};
	const length = (v) => { const n = Number(v); return n > 0 ? n : 0; };
	// A subclass of the same name in the built-in's place: instanceof, constructor, the
	// statics (from, of, BYTES_PER_ELEMENT) and subclasses of it keep working.
	const wrap = (C, size) => ({ [C.name]: class extends C {
		constructor(...args) { check("new " + C.name, size(args)); super(...args); }
	} })[C.name];
	const AB = ArrayBuffer;
	globalThis.ArrayBuffer = wrap(AB, (a) => length(a[0]));
	for (const name of ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
		"Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"]) {
		const C = globalThis[name];
		if (typeof C !== "function") continue;
		globalThis[name] = wrap(C, (a) => {
			const x = a[0];
			if (x === null || typeof x !== "object") return length(x) * C.BYTES_PER_ELEMENT;
			if (x instanceof AB) return 0; // a view on an existing buffer
			return length(x.length) * C.BYTES_PER_ELEMENT;
		});
	}
	const S = String.prototype;
	const method = (name, size) => {
		const orig = S[name];
		Object.defineProperty(S, name, { writable: true, configurable: true, value: {
			[name](...args) { check("String.prototype." + name, size(String(this), args)); return orig.apply(this, args); },
		}[name] });
	};
	// Two bytes a character: goja keeps a string with any non-ASCII character as UTF-16.
	method("repeat", (s, a) => s.length * Number(a[0]) * 2);
	method("padStart", (s, a) => Number(a[0]) * 2);
	method("padEnd", (s, a) => Number(a[0]) * 2);
})`

var allocProgram = goja.MustCompile("alloc.js", allocPrelude, true)

// installAllocChecks wraps the sized built-ins of vm; limit is read at each check, so a call
// sets its own.
func installAllocChecks(vm *goja.Runtime, limit *atomic.Uint64) error {
	v, err := vm.RunProgram(allocProgram)
	if err != nil {
		return err
	}
	fn, _ := goja.AssertFunction(v)
	_, err = fn(goja.Undefined(), vm.ToValue(func(bytes float64) bool {
		// NaN is no size (the built-in itself refuses it); Infinity is too big.
		return bytes > float64(limit.Load())
	}))
	return err
}
