package gqlbase

import (
	"bytes"
	"encoding/json"
	"time"
)

// Database is a Postgres schema holding real tables.
type Database struct {
	ID          int64  `db:"id"`
	WorkspaceID int64  `db:"workspace_id"`
	Name        string `db:"name"`
	// Schema is the Postgres schema name (db_<id>).
	Schema string `db:"schema_name"`
	// ReadonlyID is a random secret that grants read access to the database on its own.
	ReadonlyID string `db:"readonly_id"`
	// SchemaLocked refuses every change of the database's structure (tables, columns, DDL
	// through raw SQL) until it is unlocked.
	SchemaLocked bool      `db:"schema_locked"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
}

// ColumnType is a column's semantic type.
type ColumnType string

const (
	TypeText        ColumnType = "TEXT"
	TypeLongText    ColumnType = "LONG_TEXT"
	TypeInteger     ColumnType = "INTEGER"
	TypeNumber      ColumnType = "NUMBER"
	TypeDecimal     ColumnType = "DECIMAL"
	TypeBoolean     ColumnType = "BOOLEAN"
	TypeDate        ColumnType = "DATE"
	TypeDateTime    ColumnType = "DATETIME"
	TypeEmail       ColumnType = "EMAIL"
	TypeURL         ColumnType = "URL"
	TypePhone       ColumnType = "PHONE"
	TypeJSON        ColumnType = "JSON"
	TypeSelect      ColumnType = "SELECT"
	TypeMultiSelect ColumnType = "MULTI_SELECT"
	TypeUUID        ColumnType = "UUID"
	TypeLink        ColumnType = "LINK"
	TypeFile        ColumnType = "FILE"
	TypeRating      ColumnType = "RATING"
)

// ColumnTypes lists every column type.
var ColumnTypes = []ColumnType{
	TypeText, TypeLongText, TypeInteger, TypeNumber, TypeDecimal, TypeBoolean, TypeDate, TypeDateTime,
	TypeEmail, TypeURL, TypePhone, TypeJSON, TypeSelect, TypeMultiSelect, TypeUUID, TypeLink, TypeFile, TypeRating,
}

// PGType is the Postgres type that stores the column type.
func (t ColumnType) PGType() string {
	switch t {
	case TypeInteger, TypeLink:
		return "bigint"
	case TypeNumber:
		return "double precision"
	case TypeDecimal:
		return "numeric"
	case TypeBoolean:
		return "boolean"
	case TypeDate:
		return "date"
	case TypeDateTime:
		return "timestamptz"
	case TypeJSON:
		return "jsonb"
	case TypeMultiSelect:
		return "text[]"
	case TypeUUID:
		return "uuid"
	case TypeFile:
		return "bigint[]"
	case TypeRating:
		return "smallint"
	}
	return "text" // TEXT, LONG_TEXT, EMAIL, URL, PHONE, SELECT
}

// IsText reports whether values are strings compared as text.
func (t ColumnType) IsText() bool {
	switch t {
	case TypeText, TypeLongText, TypeEmail, TypeURL, TypePhone, TypeSelect:
		return true
	}
	return false
}

// IsNumeric reports whether values are numbers.
func (t ColumnType) IsNumeric() bool {
	switch t {
	case TypeInteger, TypeNumber, TypeDecimal, TypeRating, TypeLink:
		return true
	}
	return false
}

// IsArray reports whether values are lists (MULTI_SELECT, FILE).
func (t ColumnType) IsArray() bool { return t == TypeMultiSelect || t == TypeFile }

// SelectOption is one choice of a SELECT or MULTI_SELECT column.
type SelectOption struct {
	Value string `json:"value"`
	Color string `json:"color,omitempty"`
}

// Column is a real column of a user table plus its metadata.
type Column struct {
	ID      int64
	TableID int64
	// Name is the SQL identifier (case kept, always quoted).
	Name string
	// Label is the display name (may hold spaces and any characters).
	Label       string
	Type        ColumnType
	Nullable    bool
	Unique      bool
	Indexed     bool
	Description string
	// Default is the column default as a JSON-compatible value; nil means none.
	Default  any
	Position int
	// Options are the choices of SELECT and MULTI_SELECT columns.
	Options []SelectOption
	// LinkTableID is the target table of a LINK column.
	LinkTableID *int64
	// MaxRating is the top of a RATING column's scale (1 to 10, default 5).
	MaxRating int
	// System marks the built-in columns (id, created_at, ...); they are not stored as metadata.
	System    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Table is a real Postgres table in its database's schema.
type Table struct {
	ID          int64
	DatabaseID  int64
	WorkspaceID int64
	// Schema is the Postgres schema of the table's database.
	Schema      string
	Name        string
	Label       string
	Description string
	Tags        []string
	Frozen      bool
	// Columns are the user columns in display order.
	Columns []*Column
	// Links are the link columns the table is the source or the target of (see LinksOf).
	Links []*LinkColumn
	// PrimaryColumnID is the column chosen to display rows (0: the first text column; see
	// PrimaryColumnOf).
	PrimaryColumnID int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// System column names, present on every user table.
const (
	ColID        = "id"
	ColCreatedAt = "created_at"
	ColUpdatedAt = "updated_at"
	ColCreatedBy = "created_by"
	ColVersion   = "version"
)

// SystemColumns describes the built-in columns, for filters and sorts.
var SystemColumns = []*Column{
	{Name: ColID, Label: "ID", Type: TypeInteger, System: true},
	{Name: ColCreatedAt, Label: "Created at", Type: TypeDateTime, System: true},
	{Name: ColUpdatedAt, Label: "Updated at", Type: TypeDateTime, System: true},
	{Name: ColCreatedBy, Label: "Created by", Type: TypeText, System: true, Nullable: true},
	{Name: ColVersion, Label: "Version", Type: TypeInteger, System: true},
}

// Column returns the user or system column with this name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	for _, c := range SystemColumns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// UserColumn returns the user column with this name, or nil.
func (t *Table) UserColumn(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Row is one row of a user table.
type Row struct {
	TableID   int64
	ID        int64
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
	CreatedBy *string
	// Data is a JSON object of the user columns keyed by name, in column order, as Postgres
	// built it: it goes to clients without being decoded.
	Data json.RawMessage
}

// Values decodes Data (numbers as json.Number).
func (r *Row) Values() (map[string]any, error) {
	m := map[string]any{}
	if len(r.Data) == 0 {
		return m, nil
	}
	dec := json.NewDecoder(bytes.NewReader(r.Data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}
