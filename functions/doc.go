// Package functions runs a tenant's JavaScript (goja) in a sandbox: no network, file system
// or process access of its own, a wall-clock limit that interrupts runaway code, bounds on
// output, logs and memory growth, and a bounded number of calls at once. What a function
// may reach (rows, env vars, fetch) comes in through Host, which the caller implements with
// the function's own principal; this package holds no rights of its own.
package functions
