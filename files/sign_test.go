package files

import (
	"bytes"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
)

func TestSigner(t *testing.T) {
	s, err := NewSigner(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	s.now = func() time.Time { return now }
	q, err := s.Sign(42, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := url.ParseQuery(q)
	if err := s.Verify(42, v.Get("expires"), v.Get("signature")); err != nil {
		t.Fatalf("fresh signature refused: %v", err)
	}
	forbidden := func(what string, err error) {
		t.Helper()
		if e, ok := err.(*gqlbase.Error); !ok || e.Code != gqlbase.CodeForbidden {
			t.Errorf("%s: %v, want FORBIDDEN", what, err)
		}
	}
	forbidden("another file's id", s.Verify(43, v.Get("expires"), v.Get("signature")))
	exp, _ := strconv.ParseInt(v.Get("expires"), 10, 64)
	forbidden("a later expiry", s.Verify(42, strconv.FormatInt(exp+3600, 10), v.Get("signature")))
	forbidden("no signature", s.Verify(42, v.Get("expires"), ""))
	other, _ := NewSigner(bytes.Repeat([]byte{2}, 32))
	other.now = s.now
	forbidden("another key", other.Verify(42, v.Get("expires"), v.Get("signature")))
	now = now.Add(2 * time.Minute)
	forbidden("expired", s.Verify(42, v.Get("expires"), v.Get("signature")))
	for _, ttl := range []time.Duration{0, -time.Second, MaxSignedURLLifetime + time.Second} {
		if _, err := s.Sign(1, ttl); err == nil {
			t.Errorf("Sign with ttl %v accepted", ttl)
		}
	}
}

func TestDetectMIME(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for _, c := range []struct {
		name    string
		head    []byte
		want    string
		refused bool
	}{
		{"a.png", png, "image/png", false},
		{"a", png, "image/png", false},
		{"a.jpg", png, "", true},
		{"a.png", []byte("<html><body>x</body></html>"), "", true},
		{"notes.txt", []byte("hello"), "text/plain", false},
		{"data.json", []byte(`{"a":1}`), "application/json", false},
		{"page.html", []byte("just text"), "", true},
		{"icon.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), "image/svg+xml", false},
		{"doc.docx", []byte("PK\x03\x04rest"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", false},
	} {
		got, err := DetectMIME(c.name, c.head)
		if c.refused != (err != nil) || (!c.refused && got != c.want) {
			t.Errorf("DetectMIME(%q) = %q, %v; want %q (refused %v)", c.name, got, err, c.want, c.refused)
		}
	}
}
