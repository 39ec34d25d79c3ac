package airsequel

import (
	"context"
	"encoding/json"
	"io"

	"github.com/gqlbase/gqlbase"
)

// Core is what the Airsequel routes need from gqlbase: the use cases they map onto.
// *resolvers.Resolver implements it; the dialect depends on nothing else of the core.
type Core interface {
	AddColumn(ctx context.Context, table int64, input gqlbase.ColumnInput) (*gqlbase.Column, error)
	ChangeColumnType(ctx context.Context, id int64, input gqlbase.ChangeColumnTypeInput) (*gqlbase.Column, error)
	CreateDatabaseFromSQL(ctx context.Context, input gqlbase.CreateDatabaseInput, dialect string, settings map[string]any, query string) (*gqlbase.Database, error)
	CreateEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name, value string) (*gqlbase.EnvVar, error)
	CreateFunction(ctx context.Context, in gqlbase.CreateFunctionInput) (*gqlbase.Function, error)
	CreateTable(ctx context.Context, input gqlbase.CreateTableInput) (*gqlbase.Table, error)
	CreateToken(ctx context.Context, input gqlbase.CreateTokenInput) (*gqlbase.TokenWithSecret, error)
	DatabaseByNameFor(ctx context.Context, workspaceID int64, name string, scope gqlbase.Scope) (*gqlbase.Database, error)
	DatabaseDDL(ctx context.Context, databaseID int64) (string, error)
	DatabaseFor(ctx context.Context, id int64, scope gqlbase.Scope) (*gqlbase.Database, error)
	DatabaseSettings(ctx context.Context, databaseID int64, dialect string) (map[string]any, error)
	DatabaseSize(ctx context.Context, databaseID int64) (int64, error)
	DatabaseWorkspace(ctx context.Context, db *gqlbase.Database) (*gqlbase.Workspace, error)
	Databases(ctx context.Context, workspaceID *int64) ([]*gqlbase.Database, error)
	DeleteColumn(ctx context.Context, id int64) (bool, error)
	DeleteDatabaseWithTables(ctx context.Context, databaseID int64) error
	DeleteEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name string) error
	DeleteFunction(ctx context.Context, id int64) (bool, error)
	DeleteTable(ctx context.Context, id int64, force *bool) (bool, error)
	DumpDatabase(ctx context.Context, databaseID int64, w io.Writer) (int64, error)
	EnvVars(ctx context.Context, workspaceID int64, databaseID *int64) ([]*gqlbase.EnvVar, error)
	FunctionFor(ctx context.Context, id int64, scope gqlbase.Scope) (*gqlbase.Function, error)
	FunctionInvocations(ctx context.Context, functionID int64, first *int, after *string) (*gqlbase.FunctionInvocationConnection, error)
	FunctionVersions(ctx context.Context, f *gqlbase.Function) ([]*gqlbase.FunctionVersion, error)
	Functions(ctx context.Context, databaseID int64, first *int, after *string) (*gqlbase.FunctionConnection, error)
	GetDatabase(ctx context.Context, id int64) (*gqlbase.Database, error)
	GetToken(ctx context.Context, id int64) (*gqlbase.Token, error)
	ListRows(ctx context.Context, t *gqlbase.Table, p gqlbase.ListParams) (*gqlbase.RowConnection, error)
	MergeDatabaseSettings(ctx context.Context, databaseID int64, dialect string, patch map[string]any, schemaLocked *bool) (map[string]any, error)
	ReadonlyIDFor(ctx context.Context, db *gqlbase.Database) *string
	RegenerateReadonlyID(ctx context.Context, id int64) (*gqlbase.Database, error)
	RepublishFunction(ctx context.Context, id int64, version int) (*gqlbase.Function, error)
	RunLoadedFunction(ctx context.Context, f *gqlbase.Function, input json.RawMessage, trigger string) (*gqlbase.FunctionRun, error)
	RenameColumn(ctx context.Context, id int64, name string) (*gqlbase.Column, error)
	RenameDatabase(ctx context.Context, id int64, name string) (*gqlbase.Database, error)
	RevokeToken(ctx context.Context, id int64) (*gqlbase.Token, error)
	RowCount(ctx context.Context, t *gqlbase.Table) (int64, error)
	RunSQL(ctx context.Context, databaseID int64, query string) (*gqlbase.SQLResult, error)
	SetEnvVars(ctx context.Context, workspaceID int64, databaseID *int64, vars map[string]string) error
	TableByName(ctx context.Context, databaseID int64, name string, scope gqlbase.Scope) (*gqlbase.Table, error)
	Tables(ctx context.Context, databaseID int64) ([]*gqlbase.Table, error)
	Tokens(ctx context.Context, workspaceID *int64) ([]*gqlbase.Token, error)
	UpdateFunction(ctx context.Context, id int64, in gqlbase.UpdateFunctionInput) (*gqlbase.Function, error)
	UpdateColumn(ctx context.Context, id int64, input gqlbase.UpdateColumnInput) (*gqlbase.Column, error)
	UpdateEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name string, newName, value *string) (*gqlbase.EnvVar, error)
	UpdateTable(ctx context.Context, id int64, input gqlbase.UpdateTableInput) (*gqlbase.Table, error)
	UpdateToken(ctx context.Context, id int64, input gqlbase.UpdateTokenInput) (*gqlbase.Token, error)
	VacuumDatabase(ctx context.Context, databaseID int64) error
	WorkspaceRef(ctx context.Context, ref string) (int64, error)
}
