package gqlbase

import "time"

// FileState is where a file is in its upload: pending until its blob is stored, then ready.
type FileState string

const (
	FilePending FileState = "pending"
	FileReady   FileState = "ready"
)

// File is an uploaded file's metadata; its bytes live in the blob store under SHA256.
type File struct {
	ID          int64     `db:"id" json:"id"`
	WorkspaceID int64     `db:"workspace_id" json:"workspaceId"`
	DatabaseID  *int64    `db:"database_id" json:"databaseId,omitempty"`
	Name        string    `db:"name" json:"name"`
	Folder      string    `db:"folder" json:"folder"`
	MimeType    string    `db:"mime_type" json:"mimeType"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	Public      bool      `db:"public" json:"public"`
	Temporary   bool      `db:"temporary" json:"temporary"`
	State       FileState `db:"state" json:"state"`
	CreatedBy   *int64    `db:"created_by" json:"createdBy,omitempty"`
	CreatedAt   time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt   time.Time `db:"updated_at" json:"updatedAt"`
}

// UploadFileInput is what an upload may say about the file it stores.
type UploadFileInput struct {
	WorkspaceID *int64
	DatabaseID  *int64
	Name        *string
	Folder      *string
	Public      *bool
	Temporary   *bool
}
