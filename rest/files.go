package rest

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gqlbase/gqlbase"
)

// fileRoutes serves the bytes of files: GET and HEAD /files/{id}, with ranges and ETags.
func (s *Server) fileRoutes() {
	s.handle("GET /files/{id}", http.HandlerFunc(s.downloadFile))
	s.handle("HEAD /files/{id}", http.HandlerFunc(s.downloadFile))
}

// activeContent are types a browser would run or render as a page: served as attachments,
// so a file uploaded by one user cannot script the API's origin for another.
func activeContent(mimeType string) bool {
	switch mimeType {
	case "text/html", "application/xhtml+xml", "image/svg+xml", "text/javascript",
		"application/javascript", "text/xml", "application/xml":
		return true
	}
	return strings.HasSuffix(mimeType, "+xml")
}

func (s *Server) downloadFile(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeGraphQLError(w, gqlbase.CodeNotFound, "no file with id "+strconv.Quote(r.PathValue("id")))
		return
	}
	q := r.URL.Query()
	f, obj, err := s.resolver.OpenFileDownload(r.Context(), id, q.Get("expires"), q.Get("signature"))
	if err != nil {
		var e *gqlbase.Error
		if errors.As(err, &e) {
			writeGraphQLError(w, e.Code, e.Message)
			return
		}
		s.logger.ErrorContext(r.Context(), "download file", "file", id, "err", err)
		writeGraphQLError(w, gqlbase.CodeInternal, "internal error")
		return
	}
	defer obj.Close()
	h := w.Header()
	h.Set("Content-Type", f.MimeType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+f.SHA256+`"`)
	h.Set("Cache-Control", "private, no-cache")
	if f.Public && q.Get("signature") == "" {
		h.Set("Cache-Control", "public, max-age=60")
	}
	disposition := "inline"
	if activeContent(f.MimeType) {
		disposition = "attachment"
		h.Set("Content-Security-Policy", "sandbox")
	}
	if cd := mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}); cd != "" {
		h.Set("Content-Disposition", cd)
	} else {
		h.Set("Content-Disposition", disposition)
	}
	// ServeContent answers Range, If-Range, If-None-Match (against the ETag above) and HEAD.
	http.ServeContent(w, r, "", f.UpdatedAt, obj)
}
