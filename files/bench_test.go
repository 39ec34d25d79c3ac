package files_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"testing"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/files"
	"github.com/gqlbase/gqlbase/files/blob"
	"github.com/gqlbase/gqlbase/files/blob/blobtest"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

// BenchmarkFiles50MB measures the upload (spool, hash, sniff, store, metadata) and the
// download of a 50 MB file on each blob store; -benchtime=Nx sets the runs. Every upload is
// new content, so dedupe never skips the write.
func BenchmarkFiles50MB(b *testing.B) {
	stores := map[string]func(*testing.B) blob.Store{
		"fs": func(b *testing.B) blob.Store {
			s, err := blob.NewFS(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
		"s3": func(b *testing.B) blob.Store { return blobtest.Store(b) },
	}
	for _, name := range []string{"fs", "s3"} {
		b.Run(name, func(b *testing.B) {
			blobs := stores[name](b)
			st := pgtest.NewStore(b)
			ws, err := st.CreateWorkspace(context.Background(), "bench", nil)
			if err != nil {
				b.Fatal(err)
			}
			svc := &files.Service{Meta: st, Blobs: blobs, MaxUploadSize: 64 << 20, SpoolDir: b.TempDir()}
			data := make([]byte, 50<<20)
			rand.Read(data)
			var last *gqlbase.File
			b.Run("upload", func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				for i := 0; i < b.N; i++ {
					data[0], data[1] = byte(i), byte(i>>8) // new content each run
					f, err := svc.Upload(context.Background(), files.UploadInput{WorkspaceID: ws.ID, Name: "big.bin"}, bytes.NewReader(data))
					if err != nil {
						b.Fatal(err)
					}
					last = f
				}
			})
			b.Run("download", func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				for i := 0; i < b.N; i++ {
					o, err := svc.Open(context.Background(), last)
					if err != nil {
						b.Fatal(err)
					}
					if n, err := io.Copy(io.Discard, o); err != nil || n != int64(len(data)) {
						b.Fatalf("read %d bytes: %v", n, err)
					}
					o.Close()
				}
			})
		})
	}
}
