package files

import (
	"context"
	"net/http"
	"path"
	"time"

	"github.com/gqlbase/gqlbase"
)

// UploadFromURL downloads raw (through the SSRF guard: no loopback, private or link-local
// targets, checked again at connect time) and stores it as Upload does, with the same cap.
// The name defaults to the URL's last path segment.
func (s *Service) UploadFromURL(ctx context.Context, in UploadInput, raw string) (*gqlbase.File, error) {
	u, err := s.Fetch.CheckURL(ctx, "url", raw)
	if err != nil {
		return nil, err
	}
	if in.Name == "" {
		in.Name = path.Base(u.Path)
	}
	if err := checkName(&in); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, gqlbase.BadInput("bad url: %v", err).WithField("url")
	}
	resp, err := s.Fetch.Client(30 * time.Second).Do(req)
	if err != nil {
		return nil, gqlbase.BadInput("fetching the url failed: %v", err).WithField("url")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, gqlbase.BadInput("fetching the url answered %s", resp.Status).WithField("url")
	}
	if resp.ContentLength > s.limit(in) {
		return nil, tooLargeErr(s.limit(in))
	}
	return s.Upload(ctx, in, resp.Body)
}
