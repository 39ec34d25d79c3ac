package rest_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase/files/blob"
	"github.com/gqlbase/gqlbase/files/blob/blobtest"
	"github.com/gqlbase/gqlbase/internal/server"
	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/rest"
)

const fileMaxUpload = 1 << 20

func startFiles(t *testing.T, blobs blob.Store) *testserver.Server {
	lim := rest.DefaultLimits
	lim.MaxUploadBytes = fileMaxUpload + 64<<10
	return testserver.StartWith(t, testserver.Options{
		Config: rest.Config{Limits: lim},
		Files:  server.FilesConfig{Blobs: blobs, MaxUploadSize: fileMaxUpload, AllowPrivateFetch: true},
	})
}

// uploadFile sends the multipart request of the GraphQL multipart request spec.
func uploadFile(t *testing.T, srv *testserver.Server, token, name string, content []byte, input string) (int, map[string]any) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	ops := fmt.Sprintf(`{"query":"mutation($f: Upload!) { uploadFile(file: $f, input: %s) { id name size mimeType sha256 url public } }","variables":{"f":null}}`,
		strings.ReplaceAll(input, `"`, `\"`))
	mw.WriteField("operations", ops)
	mw.WriteField("map", `{"0":["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/graphql", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func gql(t *testing.T, srv *testserver.Server, query string) map[string]any {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest("POST", srv.URL+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+srv.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return out
}

func get(t *testing.T, url, token string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func uploaded(t *testing.T, status int, out map[string]any) map[string]any {
	t.Helper()
	f, _ := out["data"].(map[string]any)
	if status != 200 || f == nil || f["uploadFile"] == nil {
		t.Fatalf("upload: %d %v", status, out)
	}
	return f["uploadFile"].(map[string]any)
}

func fileCount(t *testing.T, srv *testserver.Server) int {
	var n int
	if err := srv.Store.DB().Get(&n, `SELECT count(*) FROM files`); err != nil {
		t.Fatal(err)
	}
	return n
}

func fileScenarios(t *testing.T, blobs blob.Store) {
	srv := startFiles(t, blobs)
	content := make([]byte, 300<<10)
	rand.Read(content)

	st, out := uploadFile(t, srv, srv.AdminToken, "data.bin", content, `{folder: "x/y"}`)
	f := uploaded(t, st, out)
	url := f["url"].(string)
	if f["size"].(float64) != float64(len(content)) || f["mimeType"] != "application/octet-stream" || !strings.HasPrefix(url, srv.URL+"/files/") {
		t.Fatalf("uploaded file = %v", f)
	}

	t.Run("download with a credential, ranges and ETag", func(t *testing.T) {
		resp, b := get(t, url, srv.AdminToken, nil)
		if resp.StatusCode != 200 || !bytes.Equal(b, content) {
			t.Fatalf("GET: %d, %d bytes", resp.StatusCode, len(b))
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("ETag") != `"`+f["sha256"].(string)+`"` {
			t.Fatalf("headers: %v", resp.Header)
		}
		resp, b = get(t, url, srv.AdminToken, map[string]string{"Range": "bytes=100-199"})
		if resp.StatusCode != 206 || !bytes.Equal(b, content[100:200]) {
			t.Fatalf("range: %d, %d bytes", resp.StatusCode, len(b))
		}
		resp, _ = get(t, url, srv.AdminToken, map[string]string{"If-None-Match": resp.Header.Get("ETag")})
		if resp.StatusCode != 304 {
			t.Fatalf("If-None-Match with the ETag: %d, want 304", resp.StatusCode)
		}
		req, _ := http.NewRequest("HEAD", url, nil)
		req.Header.Set("Authorization", "Bearer "+srv.AdminToken)
		hr, err := http.DefaultClient.Do(req)
		if err != nil || hr.StatusCode != 200 || hr.ContentLength != int64(len(content)) {
			t.Fatalf("HEAD: %v %v", hr, err)
		}
		hr.Body.Close()
	})
	t.Run("a private file without a credential is 401; a bad signature 403", func(t *testing.T) {
		if resp, _ := get(t, url, "", nil); resp.StatusCode != 401 {
			t.Fatalf("no credential: %d, want 401", resp.StatusCode)
		}
		if resp, _ := get(t, url+"?expires=9999999999&signature=forged", "", nil); resp.StatusCode != 403 {
			t.Fatalf("forged signature: %d, want 403", resp.StatusCode)
		}
		if resp, _ := get(t, srv.URL+"/files/999999", srv.AdminToken, nil); resp.StatusCode != 404 {
			t.Fatalf("unknown file: %d, want 404", resp.StatusCode)
		}
	})
	t.Run("a signed URL downloads without a credential", func(t *testing.T) {
		out := gql(t, srv, fmt.Sprintf(`{ signedFileUrl(id: %q, expiresIn: 60) }`, f["id"]))
		signed, _ := out["data"].(map[string]any)["signedFileUrl"].(string)
		resp, b := get(t, signed, "", nil)
		if resp.StatusCode != 200 || !bytes.Equal(b, content) {
			t.Fatalf("signed URL %s: %d", signed, resp.StatusCode)
		}
		// the signature of one file does not open another
		other := strings.Replace(signed, "/files/"+f["id"].(string), "/files/"+f["id"].(string)+"0", 1)
		if resp, _ := get(t, other, "", nil); resp.StatusCode != 403 {
			t.Fatalf("signature reused for another id: %d, want 403", resp.StatusCode)
		}
		out = gql(t, srv, fmt.Sprintf(`{ signedFileUrl(id: %q, expiresIn: 0) }`, f["id"]))
		if out["errors"] == nil {
			t.Fatalf("expiresIn 0 accepted: %v", out)
		}
	})
	t.Run("public files need no credential; active content is an attachment", func(t *testing.T) {
		st, out := uploadFile(t, srv, srv.AdminToken, "page.html", []byte("<html><script>alert(1)</script></html>"), `{public: true}`)
		p := uploaded(t, st, out)
		resp, _ := get(t, p["url"].(string), "", nil)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") ||
			resp.Header.Get("Content-Type") != "text/html" {
			t.Fatalf("public HTML: %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("oversize uploads answer 413 and store nothing", func(t *testing.T) {
		before := fileCount(t, srv)
		big := make([]byte, fileMaxUpload+128<<10)
		status, out := uploadFile(t, srv, srv.AdminToken, "big.bin", big, `{}`)
		if status != 413 {
			t.Fatalf("over the request limit: %d %v, want 413", status, out)
		}
		status, out = uploadFile(t, srv, srv.AdminToken, "big.bin", big[:fileMaxUpload+1], `{}`)
		if code := errCode(out); code != "PAYLOAD_TOO_LARGE" {
			t.Fatalf("over the file limit: %d %v, want PAYLOAD_TOO_LARGE", status, out)
		}
		if n := fileCount(t, srv); n != before {
			t.Fatalf("%d file rows after refused uploads, want %d", n, before)
		}
	})
	t.Run("uploads need a credential; delete removes the file", func(t *testing.T) {
		status, out := uploadFile(t, srv, "", "a.txt", []byte("x"), `{}`)
		if errCode(out) != "UNAUTHENTICATED" {
			t.Fatalf("anonymous upload: %d %v", status, out)
		}
		out = gql(t, srv, fmt.Sprintf(`mutation { deleteFile(id: %q) }`, f["id"]))
		if out["errors"] != nil {
			t.Fatalf("delete: %v", out)
		}
		if resp, _ := get(t, url, srv.AdminToken, nil); resp.StatusCode != 404 {
			t.Fatalf("GET after delete: %d, want 404", resp.StatusCode)
		}
		if out = gql(t, srv, fmt.Sprintf(`{ file(id: %q) { id } }`, f["id"])); out["data"].(map[string]any)["file"] != nil {
			t.Fatalf("file after delete: %v", out)
		}
	})
}

func errCode(out map[string]any) string {
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	c, _ := ext["code"].(string)
	return c
}

func TestFilesHTTPOnFS(t *testing.T) { fileScenarios(t, nil) }

func TestFilesHTTPOnS3(t *testing.T) { fileScenarios(t, blobtest.Store(t)) }
