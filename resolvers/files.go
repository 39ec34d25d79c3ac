package resolvers

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/files"
	"github.com/gqlbase/gqlbase/files/blob"
)

// Files: uploads, downloads and signed URLs, on the files capability (r.Files).

func (r *Resolver) files() (*files.Service, error) {
	if r.Files == nil {
		return nil, gqlbase.Errorf(gqlbase.CodeNotImplemented, "this server has no blob store configured")
	}
	return r.Files, nil
}

// uploadTarget authorizes an upload (files scope on the workspace, and on the database when
// one is named) and fills the files service's input.
func (r *Resolver) uploadTarget(ctx context.Context, in *gqlbase.UploadFileInput, name string) (files.UploadInput, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return files.UploadInput{}, err
	}
	if in == nil {
		in = &gqlbase.UploadFileInput{}
	}
	out := files.UploadInput{WorkspaceID: p.WorkspaceID, Name: name, DatabaseID: in.DatabaseID}
	if in.WorkspaceID != nil {
		out.WorkspaceID = *in.WorkspaceID
	}
	if in.DatabaseID != nil {
		db, err := r.DatabaseFor(ctx, *in.DatabaseID, gqlbase.ScopeFiles)
		if err != nil {
			return out, err
		}
		if in.WorkspaceID != nil && db.WorkspaceID != *in.WorkspaceID {
			return out, gqlbase.BadInput("database %d is not in workspace %d", db.ID, *in.WorkspaceID).WithField("databaseId")
		}
		out.WorkspaceID = db.WorkspaceID
	}
	if err := p.Require(out.WorkspaceID, gqlbase.ScopeFiles); err != nil {
		return out, err
	}
	if in.Name != nil {
		out.Name = *in.Name
	}
	if in.Folder != nil {
		out.Folder = *in.Folder
	}
	out.Public = in.Public != nil && *in.Public
	out.Temporary = in.Temporary != nil && *in.Temporary
	if p.UserID != 0 {
		uid := p.UserID
		out.CreatedBy = &uid
	} else if p.CreatorID != 0 {
		uid := p.CreatorID
		out.CreatedBy = &uid
	}
	return out, nil
}

// UploadFile stores the bytes of r as a new file.
func (r *Resolver) UploadFile(ctx context.Context, body io.Reader, filename string, in *gqlbase.UploadFileInput) (*gqlbase.File, error) {
	svc, err := r.files()
	if err != nil {
		return nil, err
	}
	target, err := r.uploadTarget(ctx, in, filename)
	if err != nil {
		return nil, err
	}
	return svc.Upload(ctx, target, body)
}

// UploadFileFromURL downloads a public URL into a new file.
func (r *Resolver) UploadFileFromURL(ctx context.Context, url string, in *gqlbase.UploadFileInput) (*gqlbase.File, error) {
	svc, err := r.files()
	if err != nil {
		return nil, err
	}
	target, err := r.uploadTarget(ctx, in, "")
	if err != nil {
		return nil, err
	}
	return svc.UploadFromURL(ctx, target, url)
}

// FileFor returns a ready file the caller may use with scope; another workspace's file is
// NOT_FOUND, so ids do not tell what exists elsewhere.
func (r *Resolver) FileFor(ctx context.Context, id int64, scope gqlbase.Scope) (*gqlbase.File, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	f, err := r.Store.File(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.MemberOf(f.WorkspaceID) && p.WorkspaceID != f.WorkspaceID {
		return nil, gqlbase.NotFound("no file with id %d", id)
	}
	if err := p.Require(f.WorkspaceID, scope); err != nil {
		return nil, err
	}
	if f.DatabaseID != nil {
		if err := p.RequireDatabase(f.WorkspaceID, *f.DatabaseID, scope); err != nil {
			return nil, err
		}
	}
	if f.State != gqlbase.FileReady {
		return nil, gqlbase.NotFound("file %d is still being uploaded", id)
	}
	return f, nil
}

// FileByID is the file query: null for a file the caller cannot see.
func (r *Resolver) FileByID(ctx context.Context, id int64) (*gqlbase.File, error) {
	f, err := r.FileFor(ctx, id, gqlbase.ScopeRead)
	if e, ok := err.(*gqlbase.Error); ok && e.Code == gqlbase.CodeNotFound {
		return nil, nil
	}
	return f, err
}

// DeleteFile deletes a file the caller may manage (files scope).
func (r *Resolver) DeleteFile(ctx context.Context, id int64, force bool) (bool, error) {
	svc, err := r.files()
	if err != nil {
		return false, err
	}
	if _, err := r.FileFor(ctx, id, gqlbase.ScopeFiles); err != nil {
		return false, err
	}
	if err := svc.Delete(ctx, id); err != nil {
		return false, err
	}
	return true, nil
}

// FileURL is where a file is downloaded.
func (r *Resolver) FileURL(f *gqlbase.File) string {
	return strings.TrimRight(r.PublicURL, "/") + "/files/" + strconv.FormatInt(f.ID, 10)
}

// SignedFileURL returns a URL that downloads the file without a credential for expiresIn
// seconds.
func (r *Resolver) SignedFileURL(ctx context.Context, id int64, expiresIn int) (string, error) {
	svc, err := r.files()
	if err != nil {
		return "", err
	}
	f, err := r.FileFor(ctx, id, gqlbase.ScopeRead)
	if err != nil {
		return "", err
	}
	q, err := svc.Signer.Sign(f.ID, time.Duration(expiresIn)*time.Second)
	if err != nil {
		return "", err
	}
	return r.FileURL(f) + "?" + q, nil
}

// OpenFileDownload authorizes a download and opens the file's bytes: with a signature (a
// wrong or expired one is FORBIDDEN), for a public file, or with a credential that may read
// the file (none: UNAUTHENTICATED). The caller closes the blob.
func (r *Resolver) OpenFileDownload(ctx context.Context, id int64, expires, signature string) (*gqlbase.File, blob.Object, error) {
	svc, err := r.files()
	if err != nil {
		return nil, nil, err
	}
	var f *gqlbase.File
	switch {
	case signature != "" || expires != "":
		if err := svc.Signer.Verify(id, expires, signature); err != nil {
			return nil, nil, err
		}
		if f, err = r.Store.File(ctx, id); err != nil {
			return nil, nil, err
		}
	default:
		if f, err = r.Store.File(ctx, id); err != nil {
			return nil, nil, err
		}
		if !f.Public {
			if f, err = r.FileFor(ctx, id, gqlbase.ScopeRead); err != nil {
				return nil, nil, err
			}
		}
	}
	o, err := svc.Open(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	return f, o, nil
}
