package files_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/files"
	"github.com/gqlbase/gqlbase/files/blob"
	"github.com/gqlbase/gqlbase/files/blob/blobtest"
	"github.com/gqlbase/gqlbase/internal/netguard"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type fixture struct {
	svc   *files.Service
	st    *storage.Store
	blobs blob.Store
	ws    int64
}

func newFixture(t *testing.T, blobs blob.Store) *fixture {
	st := pgtest.NewStore(t)
	ws, err := st.CreateWorkspace(context.Background(), "files", nil)
	if err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{7}, 32)
	signer, err := files.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	svc := &files.Service{Meta: st, Blobs: blobs, MaxUploadSize: 1 << 20, SpoolDir: t.TempDir(),
		Signer: signer, Fetch: netguard.Policy{AllowPrivate: true}}
	return &fixture{svc: svc, st: st, blobs: blobs, ws: ws.ID}
}

func (fx *fixture) countFiles(t *testing.T) int {
	var n int
	if err := fx.st.DB().Get(&n, `SELECT count(*) FROM files`); err != nil {
		t.Fatal(err)
	}
	return n
}

func code(err error) gqlbase.Code {
	var e *gqlbase.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

var png = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 200)...)

func scenarios(t *testing.T, blobs blob.Store) {
	ctx := context.Background()
	t.Run("upload, dedupe, read back, delete", func(t *testing.T) {
		fx := newFixture(t, blobs)
		a, err := fx.svc.Upload(ctx, files.UploadInput{WorkspaceID: fx.ws, Name: "a.png", Folder: "/pics/"}, bytes.NewReader(png))
		if err != nil {
			t.Fatal(err)
		}
		if a.State != gqlbase.FileReady || a.MimeType != "image/png" || a.Size != int64(len(png)) || a.Folder != "pics" {
			t.Fatalf("uploaded file = %+v", a)
		}
		b, err := fx.svc.Upload(ctx, files.UploadInput{WorkspaceID: fx.ws, Name: "b.png"}, bytes.NewReader(png))
		if err != nil {
			t.Fatal(err)
		}
		if b.ID == a.ID || b.SHA256 != a.SHA256 {
			t.Fatalf("same content twice: ids %d %d, hashes %s %s", a.ID, b.ID, a.SHA256, b.SHA256)
		}
		o, err := fx.svc.Open(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(o)
		o.Close()
		if !bytes.Equal(got, png) {
			t.Fatal("read back other bytes than uploaded")
		}
		// deleting one of two files that share a blob keeps the blob; the last takes it
		if err := fx.svc.Delete(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.blobs.Stat(ctx, a.SHA256); err != nil {
			t.Fatalf("blob gone while file %d still holds it: %v", b.ID, err)
		}
		if err := fx.svc.Delete(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.blobs.Stat(ctx, a.SHA256); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("blob after its last file was deleted: %v", err)
		}
		if err := fx.svc.Delete(ctx, b.ID); code(err) != gqlbase.CodeNotFound {
			t.Fatalf("second delete: %v, want NOT_FOUND", err)
		}
	})
	t.Run("oversize leaves no row and no blob", func(t *testing.T) {
		fx := newFixture(t, blobs)
		big := make([]byte, 1<<20+1)
		rand.Read(big)
		_, err := fx.svc.Upload(ctx, files.UploadInput{WorkspaceID: fx.ws, Name: "big.bin"}, bytes.NewReader(big))
		if code(err) != gqlbase.CodePayloadTooLarge {
			t.Fatalf("oversize upload: %v, want PAYLOAD_TOO_LARGE", err)
		}
		small := big[:1000]
		_, err = fx.svc.Upload(ctx, files.UploadInput{WorkspaceID: fx.ws, Name: "s.bin", MaxSize: 999}, bytes.NewReader(small))
		if code(err) != gqlbase.CodePayloadTooLarge {
			t.Fatalf("upload over a per-call cap: %v, want PAYLOAD_TOO_LARGE", err)
		}
		if n := fx.countFiles(t); n != 0 {
			t.Fatalf("%d file rows after refused uploads", n)
		}
		for _, b := range [][]byte{big, small} {
			if _, err := fx.blobs.Stat(ctx, sha(b)); !errors.Is(err, blob.ErrNotFound) {
				t.Fatalf("blob of a refused upload: %v", err)
			}
		}
	})
	t.Run("content that contradicts its extension is refused", func(t *testing.T) {
		fx := newFixture(t, blobs)
		_, err := fx.svc.Upload(ctx, files.UploadInput{WorkspaceID: fx.ws, Name: "x.png"},
			bytes.NewReader([]byte("<!DOCTYPE html><script>alert(1)</script>")))
		if code(err) != gqlbase.CodeBadUserInput {
			t.Fatalf("HTML named .png: %v, want BAD_USER_INPUT", err)
		}
		if n := fx.countFiles(t); n != 0 {
			t.Fatalf("%d file rows after a refused upload", n)
		}
	})
	t.Run("a killed upload leaves a pending row the sweep removes", func(t *testing.T) {
		fx := newFixture(t, blobs)
		content := []byte("half-way " + t.Name())
		// what a process killed after the insert and before MarkFileReady leaves behind
		f := &gqlbase.File{WorkspaceID: fx.ws, Name: "dead.txt", MimeType: "text/plain", Size: int64(len(content)), SHA256: sha(content)}
		if err := fx.st.InsertPendingFile(ctx, f); err != nil {
			t.Fatal(err)
		}
		if err := fx.blobs.Put(ctx, f.SHA256, bytes.NewReader(content), f.Size); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.Open(ctx, f); code(err) != gqlbase.CodeNotFound {
			t.Fatalf("Open of a pending file: %v, want NOT_FOUND", err)
		}
		if _, err := fx.st.DB().Exec(`UPDATE files SET created_at = now() - interval '2 hours' WHERE id = $1`, f.ID); err != nil {
			t.Fatal(err)
		}
		n, err := fx.svc.SweepPending(ctx, time.Hour)
		if err != nil || n != 1 {
			t.Fatalf("sweep = %d, %v; want 1", n, err)
		}
		if fx.countFiles(t) != 0 {
			t.Fatal("the pending row survived the sweep")
		}
		if _, err := fx.blobs.Stat(ctx, f.SHA256); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("orphan blob after the sweep: %v", err)
		}
	})
	t.Run("upload from a URL", func(t *testing.T) {
		fx := newFixture(t, blobs)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(png) }))
		defer srv.Close()
		f, err := fx.svc.UploadFromURL(ctx, files.UploadInput{WorkspaceID: fx.ws}, srv.URL+"/logo.png")
		if err != nil {
			t.Fatal(err)
		}
		if f.Name != "logo.png" || f.MimeType != "image/png" || f.Size != int64(len(png)) {
			t.Fatalf("file from url = %+v", f)
		}
		// without AllowPrivate, the loopback test server is refused before any request
		fx.svc.Fetch = netguard.Policy{}
		if _, err := fx.svc.UploadFromURL(ctx, files.UploadInput{WorkspaceID: fx.ws}, srv.URL+"/logo.png"); code(err) != gqlbase.CodeBadUserInput {
			t.Fatalf("upload from a loopback URL: %v, want BAD_USER_INPUT", err)
		}
		for _, u := range []string{"http://169.254.169.254/latest/meta-data", "file:///etc/passwd", "http://10.0.0.1/x"} {
			if _, err := fx.svc.UploadFromURL(ctx, files.UploadInput{WorkspaceID: fx.ws}, u); code(err) != gqlbase.CodeBadUserInput {
				t.Errorf("upload from %s: %v, want BAD_USER_INPUT", u, err)
			}
		}
	})
}

func TestFilesOnFS(t *testing.T) {
	s, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	scenarios(t, s)
}

func TestFilesOnS3(t *testing.T) { scenarios(t, blobtest.Store(t)) }
