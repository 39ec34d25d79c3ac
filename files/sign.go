package files

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/gqlbase/gqlbase"
)

// Signer makes and checks signed, expiring download URLs. Its key is random (32 bytes, kept
// in a file of the data dir), never derived from ids, so a URL cannot be forged from what a
// client sees.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner signs with key (at least 32 bytes).
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("files: the signing key must be at least 32 bytes")
	}
	return &Signer{key: key, now: time.Now}, nil
}

// LoadOrCreateKey reads the signing key at path, creating it (mode 0600) on first start.
func LoadOrCreateKey(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil {
		if len(b) < 32 {
			return nil, fmt.Errorf("files: signing key %s is shorter than 32 bytes", path)
		}
		return b, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("files: read signing key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("files: write signing key: %w", err)
	}
	return key, nil
}

// MaxSignedURLLifetime bounds expiresIn.
const MaxSignedURLLifetime = 7 * 24 * time.Hour

func (s *Signer) mac(id, expires int64) string {
	m := hmac.New(sha256.New, s.key)
	fmt.Fprintf(m, "file:%d:%d", id, expires)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Sign returns the query string (without '?') that lets anyone holding it download file id
// for the next ttl.
func (s *Signer) Sign(id int64, ttl time.Duration) (string, error) {
	if ttl <= 0 || ttl > MaxSignedURLLifetime {
		return "", gqlbase.BadInput("expiresIn must be between 1 and %d seconds", int(MaxSignedURLLifetime.Seconds())).WithField("expiresIn")
	}
	exp := s.now().Add(ttl).Unix()
	return "expires=" + strconv.FormatInt(exp, 10) + "&signature=" + s.mac(id, exp), nil
}

// Verify checks a signature for file id: FORBIDDEN when it is wrong or expired.
func (s *Signer) Verify(id int64, expires, signature string) error {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !hmac.Equal([]byte(signature), []byte(s.mac(id, exp))) {
		return gqlbase.Forbidden("the file URL's signature is not valid")
	}
	if s.now().Unix() > exp {
		return gqlbase.Forbidden("the file URL has expired")
	}
	return nil
}
