package blob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/gqlbase/gqlbase/files/blob"
	"github.com/gqlbase/gqlbase/files/blob/blobtest"
)

func key(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// contract is what every Store must do; TestFS and TestS3 run it against a real store each.
func contract(t *testing.T, s blob.Store) {
	ctx := context.Background()
	data := make([]byte, 3<<20+17) // past one S3 part buffer and not a round size
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	k := key(data)

	t.Run("missing", func(t *testing.T) {
		if _, err := s.Open(ctx, k); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Open of a missing key: %v, want ErrNotFound", err)
		}
		if _, err := s.Stat(ctx, k); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Stat of a missing key: %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, k); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Delete of a missing key: %v, want ErrNotFound", err)
		}
	})
	t.Run("put and read back", func(t *testing.T) {
		if err := s.Put(ctx, k, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
		// the same content again is a no-op, not an error
		if err := s.Put(ctx, k, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("second Put of the same content: %v", err)
		}
		n, err := s.Stat(ctx, k)
		if err != nil || n != int64(len(data)) {
			t.Fatalf("Stat = %d, %v; want %d", n, err, len(data))
		}
		o, err := s.Open(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		if o.Size() != int64(len(data)) {
			t.Fatalf("Size = %d, want %d", o.Size(), len(data))
		}
		got, err := io.ReadAll(o)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read back %d bytes (err %v), want the %d put", len(got), err, len(data))
		}
	})
	t.Run("seek for ranges", func(t *testing.T) {
		o, err := s.Open(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		if _, err := o.Seek(1<<20, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 100)
		if _, err := io.ReadFull(o, buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf, data[1<<20:1<<20+100]) {
			t.Fatal("bytes after Seek differ from the content at that offset")
		}
	})
	t.Run("short put stores nothing", func(t *testing.T) {
		other := []byte("short content")
		ok := key(other)
		if err := s.Put(ctx, ok, bytes.NewReader(other), int64(len(other))+5); err == nil {
			t.Fatal("Put with fewer bytes than its size succeeded")
		}
		if _, err := s.Stat(ctx, ok); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("after a failed Put, Stat = %v, want ErrNotFound", err)
		}
	})
	t.Run("bad keys", func(t *testing.T) {
		for _, bad := range []string{"", "../../etc/passwd", "ABCDEF0123456789", k + "/x"} {
			if err := s.Put(ctx, bad, bytes.NewReader(nil), 0); err == nil {
				t.Errorf("Put(%q) accepted", bad)
			}
			if _, err := s.Open(ctx, bad); err == nil || errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Open(%q) = %v, want an invalid key error", bad, err)
			}
		}
	})
	t.Run("delete", func(t *testing.T) {
		if err := s.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, k); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("Open after Delete: %v, want ErrNotFound", err)
		}
	})
}

func TestFS(t *testing.T) {
	s, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	contract(t, s)
}

func TestS3(t *testing.T) {
	contract(t, blobtest.Store(t))
}

func TestOpenURL(t *testing.T) {
	ctx := context.Background()
	if s, err := blob.OpenURL(ctx, "", t.TempDir()); err != nil || s.Name() != "fs" {
		t.Fatalf("default store = %v, %v; want the folder store", s, err)
	}
	for _, bad := range []string{"ftp://x", "s3://", "s3://user:pass@bucket?endpoint=x", "s3://b?secure=maybe"} {
		if _, err := blob.OpenURL(ctx, bad, t.TempDir()); err == nil {
			t.Errorf("OpenURL(%q) accepted", bad)
		}
	}
	cfg, err := blob.ParseS3URL("s3://media?endpoint=127.0.0.1:9000&region=eu-1&secure=false&prefix=gq/")
	if err != nil {
		t.Fatal(err)
	}
	want := blob.S3Config{Endpoint: "127.0.0.1:9000", Bucket: "media", Region: "eu-1", Prefix: "gq/"}
	if cfg != want {
		t.Fatalf("ParseS3URL = %+v, want %+v", cfg, want)
	}
}
