package resolvers

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"

	"github.com/gqlbase/gqlbase"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). Memory per
// hash stays small enough that concurrent log-ins do not balloon the process.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

const (
	minPasswordLen = 8
	maxPasswordLen = 256 // bounds the hashing work an attacker can ask for
)

// argonSlots admits at most one argon2id computation per core, process-wide. Each one is tens
// of milliseconds of CPU and 19 MiB: more at once only adds memory and makes every request of
// the server wait, so a flood of credential requests queues here instead.
var argonSlots = make(chan struct{}, runtime.NumCPU())

// argonBusy counts the computations running now and argonPeak the most seen at once, which
// shows that the slots hold.
var argonBusy, argonPeak atomic.Int64

func checkPassword(pw, field string) error {
	if n := len(pw); n < minPasswordLen || n > maxPasswordLen {
		return gqlbase.BadInput("a password must have %d to %d characters", minPasswordLen, maxPasswordLen).WithField(field)
	}
	return nil
}

// hashPassword returns an argon2id hash of pw in the PHC string format, computed in an argon
// slot.
func (r *Resolver) hashPassword(ctx context.Context, pw string) (string, error) {
	var encoded string
	err := r.inArgonSlot(ctx, func() { encoded = argonHash(pw) })
	return encoded, err
}

// verifyPassword checks pw against a hash made by hashPassword (with any parameters), in an
// argon slot.
func (r *Resolver) verifyPassword(ctx context.Context, pw, encoded string) (bool, error) {
	var ok bool
	err := r.inArgonSlot(ctx, func() { ok = argonVerify(pw, encoded) })
	return ok, err
}

// PasswordHashes is the number of argon2id computations (hashes and verifications) this
// resolver has run: the CPU that credential requests cost.
func (r *Resolver) PasswordHashes() int64 { return r.argonRuns.Load() }

// inArgonSlot runs fn once a slot is free. A caller that goes away while waiting gives up its
// place, so abandoned requests do not keep the queue long.
func (r *Resolver) inArgonSlot(ctx context.Context, fn func()) error {
	select {
	case argonSlots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("wait for a password hashing slot: %w", context.Cause(ctx))
	}
	defer func() { <-argonSlots }()
	if err := ctx.Err(); err != nil {
		// Both were ready and select picked the slot: the caller is gone all the same.
		return fmt.Errorf("wait for a password hashing slot: %w", context.Cause(ctx))
	}
	busy := argonBusy.Add(1)
	defer argonBusy.Add(-1)
	for {
		peak := argonPeak.Load()
		if busy <= peak || argonPeak.CompareAndSwap(peak, busy) {
			break
		}
	}
	r.argonRuns.Add(1)
	fn()
	return nil
}

func argonHash(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

func argonVerify(pw, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var memory uint32
	var time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when an email is unknown, so log-in takes as long either way.
var dummyHash = argonHash("not a real password")
