package resolvers

import (
	"context"

	"github.com/gqlbase/gqlbase"
)

// Environment variables of a workspace or a database (Airsequel's envVars).

// envScope authorizes access to the environment variables of a workspace (admin scope) or of
// a database (schema scope), and returns the workspace id.
func (r *Resolver) envScope(ctx context.Context, workspaceID int64, databaseID *int64) (int64, error) {
	if databaseID != nil {
		db, err := r.DatabaseFor(ctx, *databaseID, gqlbase.ScopeSchema)
		if err != nil {
			return 0, err
		}
		return db.WorkspaceID, nil
	}
	if err := gqlbase.PrincipalFrom(ctx).Require(workspaceID, gqlbase.ScopeAdmin); err != nil {
		return 0, err
	}
	return workspaceID, nil
}

func checkEnvVar(name string, value *string) error {
	if name == "" || len(name) > 128 || !isEnvName(name) {
		return gqlbase.BadInput("variable name %q must start with a letter or underscore and hold only letters, digits and underscores (at most 128)", name).WithField("name")
	}
	if value != nil && len(*value) > 65536 {
		return gqlbase.BadInput("variable value is longer than 65536 bytes").WithField("value")
	}
	return nil
}

func isEnvName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// EnvVars lists the environment variables of a workspace (databaseID nil) or a database.
func (r *Resolver) EnvVars(ctx context.Context, workspaceID int64, databaseID *int64) ([]*gqlbase.EnvVar, error) {
	ws, err := r.envScope(ctx, workspaceID, databaseID)
	if err != nil {
		return nil, err
	}
	return r.Store.ListEnvVars(ctx, ws, databaseID)
}

// CreateEnvVar adds an environment variable.
func (r *Resolver) CreateEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name, value string) (*gqlbase.EnvVar, error) {
	ws, err := r.envScope(ctx, workspaceID, databaseID)
	if err != nil {
		return nil, err
	}
	if err := checkEnvVar(name, &value); err != nil {
		return nil, err
	}
	return r.Store.CreateEnvVar(ctx, ws, databaseID, name, value)
}

// UpdateEnvVar renames and/or changes an environment variable.
func (r *Resolver) UpdateEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name string, newName, value *string) (*gqlbase.EnvVar, error) {
	ws, err := r.envScope(ctx, workspaceID, databaseID)
	if err != nil {
		return nil, err
	}
	if newName != nil {
		if err := checkEnvVar(*newName, value); err != nil {
			return nil, err
		}
	} else if err := checkEnvVar(name, value); err != nil {
		return nil, err
	}
	return r.Store.UpdateEnvVar(ctx, ws, databaseID, name, newName, value)
}

// SetEnvVars creates or replaces several variables at once.
func (r *Resolver) SetEnvVars(ctx context.Context, workspaceID int64, databaseID *int64, vars map[string]string) error {
	ws, err := r.envScope(ctx, workspaceID, databaseID)
	if err != nil {
		return err
	}
	for name, value := range vars {
		if err := checkEnvVar(name, &value); err != nil {
			return err
		}
	}
	return r.Store.SetEnvVars(ctx, ws, databaseID, vars)
}

// DeleteEnvVar removes an environment variable.
func (r *Resolver) DeleteEnvVar(ctx context.Context, workspaceID int64, databaseID *int64, name string) error {
	ws, err := r.envScope(ctx, workspaceID, databaseID)
	if err != nil {
		return err
	}
	return r.Store.DeleteEnvVar(ctx, ws, databaseID, name)
}
