package resolvers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

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

func checkPassword(pw, field string) error {
	if n := len(pw); n < minPasswordLen || n > maxPasswordLen {
		return gqlbase.BadInput("a password must have %d to %d characters", minPasswordLen, maxPasswordLen).WithField(field)
	}
	return nil
}

// hashPassword returns an argon2id hash in the PHC string format.
func hashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

// verifyPassword checks pw against a hash made by hashPassword (with any parameters).
func verifyPassword(pw, encoded string) bool {
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
var dummyHash = hashPassword("not a real password")
