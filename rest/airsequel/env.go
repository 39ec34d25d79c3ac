package airsequel

import (
	"context"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

type envIn struct {
	Name  string `json:"name" required:"true" doc:"the variable's name"`
	Value string `json:"value" required:"false" doc:"default: empty"`
}

// envCreateIn creates a variable of the database the path names, or of the team.
type envCreateIn struct {
	dbPath
	envIn
}

type envPatchIn struct {
	envVarPath
	Name  *string `json:"name,omitempty" doc:"a new name"`
	Value *string `json:"value,omitempty" doc:"a new value"`
}

type envOut struct {
	CreatedUtc string `json:"created_utc" doc:"when it was created (RFC 3339, UTC)"`
	Name       string `json:"name"`
	Value      string `json:"value"`
}

type envListOut struct {
	EnvVars []envOut `json:"envVars"`
}

type teamSettingsOut struct {
	EnvVars []envOut `json:"envVars"`
}

// envVarPath is a variable's route: {varName}, and {dbId} for a database's variables.
type envVarPath struct {
	dbPath
	Name string `json:"-" path:"varName" doc:"the variable's name"`
}

type teamSettingsIn struct {
	EnvVars      []envIn  `json:"envVars,omitempty" doc:"variables to create or replace"`
	AllowedHosts []string `json:"allowedHosts,omitempty" doc:"not available: CORS origins are server configuration (--allowed-origins)"`
}

// bindEnv adds the routes of environment variables, a database's and the team's, and of the
// team settings (which hold the team's variables).
func (a *api) bindEnv(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "GET", Path: "/api/dbs/{dbId}/env", Summary: "List database environment variables", Op: restkit.Handle(a.listEnv),
			Description: "Lists the environment variables of the database (name, value, created_utc)."},
		restkit.Route{Method: "POST", Path: "/api/dbs/{dbId}/env", Summary: "Create database environment variable", Op: restkit.Handle(a.createEnv),
			Description: "Creates an environment variable of the database (a name already taken is 409 CONFLICT) and returns it."},
		restkit.Route{Method: "PATCH", Path: "/api/dbs/{dbId}/env/{varName}", Summary: "Update database environment variable", Op: restkit.Handle(a.patchEnv),
			Description: "Renames an environment variable of the database or sets its value. Answers {}."},
		restkit.Route{Method: "DELETE", Path: "/api/dbs/{dbId}/env/{varName}", Summary: "Delete database environment variable", Op: restkit.Handle(a.deleteEnv),
			Description: "Deletes an environment variable of the database. Answers {}."},
		restkit.Route{Method: "GET", Path: "/api/settings", Summary: "Get team settings", Op: restkit.Handle(a.getTeamSettings),
			Description: "Returns the settings of the caller's workspace (the team): its environment variables."},
		restkit.Route{Method: "PATCH", Path: "/api/settings", Summary: "Update team settings", Op: restkit.Handle(a.patchTeamSettings),
			Description: "Creates or replaces the workspace's environment variables given in envVars. allowedHosts answers 501: " +
				"CORS origins are server configuration (--allowed-origins). Answers {}."},
		restkit.Route{Method: "GET", Path: "/api/settings/env", Summary: "List team environment variables", Op: restkit.Handle(a.listEnv),
			Description: "Lists the environment variables of the caller's workspace (name, value, created_utc)."},
		restkit.Route{Method: "POST", Path: "/api/settings/env", Summary: "Create team environment variable", Op: restkit.Handle(a.createEnv),
			Description: "Creates an environment variable of the caller's workspace (a name already taken is 409 CONFLICT) and returns it."},
		restkit.Route{Method: "PATCH", Path: "/api/settings/env/{varName}", Summary: "Update team environment variable", Op: restkit.Handle(a.patchEnv),
			Description: "Renames an environment variable of the caller's workspace or sets its value. Answers {}."},
		restkit.Route{Method: "DELETE", Path: "/api/settings/env/{varName}", Summary: "Delete team environment variable", Op: restkit.Handle(a.deleteEnv),
			Description: "Deletes an environment variable of the caller's workspace. Answers {}."},
	)
}

func envList(vars []*gqlbase.EnvVar) []envOut {
	out := make([]envOut, 0, len(vars))
	for _, v := range vars {
		out = append(out, encodeEnv(v))
	}
	return out
}

func encodeEnv(v *gqlbase.EnvVar) envOut {
	return envOut{CreatedUtc: v.CreatedAt.UTC().Format(time.RFC3339), Name: v.Name, Value: v.Value}
}

// envTarget is the workspace and (for database routes) the database of a variable route. The
// database and team routes share their handlers: the team routes have no {dbId}, so their
// dbPath is empty (a database route's never is: the router cleans // out of paths).
func (a *api) envTarget(ctx context.Context, in dbPath) (int64, *int64, error) {
	if in.DB != "" {
		db, err := a.database(ctx, in, gqlbase.ScopeRead)
		if err != nil {
			return 0, nil, err
		}
		return db.WorkspaceID, &db.ID, nil
	}
	ws, err := a.res.WorkspaceRef(ctx, "")
	return ws, nil, err
}

func (a *api) listEnv(ctx context.Context, r *restkit.Request, in dbPath) (envListOut, error) {
	ws, db, err := a.envTarget(ctx, in)
	if err != nil {
		return envListOut{}, err
	}
	vars, err := a.res.EnvVars(r.Context(), ws, db)
	if err != nil {
		return envListOut{}, err
	}
	return envListOut{EnvVars: envList(vars)}, nil
}

func (a *api) createEnv(ctx context.Context, r *restkit.Request, in envCreateIn) (envOut, error) {
	ws, db, err := a.envTarget(ctx, in.dbPath)
	if err != nil {
		return envOut{}, err
	}
	v, err := a.res.CreateEnvVar(r.Context(), ws, db, in.Name, in.Value)
	if err != nil {
		return envOut{}, err
	}
	return encodeEnv(v), nil
}

func (a *api) patchEnv(ctx context.Context, r *restkit.Request, in envPatchIn) (done, error) {
	ws, db, err := a.envTarget(ctx, in.dbPath)
	if err != nil {
		return done{}, err
	}
	name := in.envVarPath.Name
	newName := in.Name
	if newName != nil && *newName == name {
		newName = nil
	}
	if _, err := a.res.UpdateEnvVar(r.Context(), ws, db, name, newName, in.Value); err != nil {
		return done{}, err
	}
	return done{}, nil
}

func (a *api) deleteEnv(ctx context.Context, r *restkit.Request, in envVarPath) (done, error) {
	ws, db, err := a.envTarget(ctx, in.dbPath)
	if err != nil {
		return done{}, err
	}
	if err := a.res.DeleteEnvVar(r.Context(), ws, db, in.Name); err != nil {
		return done{}, err
	}
	return done{}, nil
}

func (a *api) getTeamSettings(ctx context.Context, r *restkit.Request, _ struct{}) (teamSettingsOut, error) {
	ws, _, err := a.envTarget(ctx, dbPath{})
	if err != nil {
		return teamSettingsOut{}, err
	}
	vars, err := a.res.EnvVars(r.Context(), ws, nil)
	if err != nil {
		return teamSettingsOut{}, err
	}
	return teamSettingsOut{EnvVars: envList(vars)}, nil
}

func (a *api) patchTeamSettings(ctx context.Context, r *restkit.Request, in teamSettingsIn) (done, error) {
	ws, _, err := a.envTarget(ctx, dbPath{})
	if err != nil {
		return done{}, err
	}
	if in.AllowedHosts != nil {
		return done{}, gqlbase.Errorf(gqlbase.CodeNotImplemented, "allowedHosts is server configuration in gqlbase (--allowed-origins)")
	}
	if len(in.EnvVars) > 0 {
		vars := map[string]string{}
		for _, v := range in.EnvVars {
			vars[v.Name] = v.Value
		}
		if err := a.res.SetEnvVars(r.Context(), ws, nil, vars); err != nil {
			return done{}, err
		}
	}
	return done{}, nil
}
