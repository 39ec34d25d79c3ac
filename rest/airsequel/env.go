package airsequel

import (
	"net/http"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

type envIn struct {
	Name  string `json:"name" required:"true"`
	Value string `json:"value" required:"true"`
}

type envPatchIn struct {
	Name  *string `json:"name,omitempty" doc:"a new name"`
	Value *string `json:"value,omitempty"`
}

type envOut struct {
	CreatedUtc string `json:"created_utc"`
	Name       string `json:"name"`
	Value      string `json:"value"`
}

type envListOut struct {
	EnvVars []envOut `json:"envVars"`
}

type teamSettingsOut struct {
	EnvVars []envOut `json:"envVars"`
}

type teamSettingsIn struct {
	EnvVars      []envIn  `json:"envVars,omitempty" doc:"variables to create or replace"`
	AllowedHosts []string `json:"allowedHosts,omitempty" doc:"not available: CORS origins are server configuration (--allowed-origins)"`
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

// envTarget is the workspace and (for database routes) the database of a variable route.
func (a *api) envTarget(r *http.Request, perDatabase bool) (int64, *int64, error) {
	if perDatabase {
		db, err := a.database(r, gqlbase.ScopeRead)
		if err != nil {
			return 0, nil, err
		}
		return db.WorkspaceID, &db.ID, nil
	}
	ws, err := a.res.WorkspaceRef(r.Context(), "")
	return ws, nil, err
}

func (a *api) listEnv(perDatabase bool) restkit.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ws, db, err := a.envTarget(r, perDatabase)
		if err != nil {
			return err
		}
		vars, err := a.res.EnvVars(r.Context(), ws, db)
		if err != nil {
			return err
		}
		restkit.WriteJSON(w, http.StatusOK, envListOut{EnvVars: envList(vars)})
		return nil
	}
}

func (a *api) createEnv(perDatabase bool) restkit.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in envIn
		if err := decode(r, &in, false); err != nil {
			return err
		}
		ws, db, err := a.envTarget(r, perDatabase)
		if err != nil {
			return err
		}
		v, err := a.res.CreateEnvVar(r.Context(), ws, db, in.Name, in.Value)
		if err != nil {
			return err
		}
		restkit.WriteJSON(w, http.StatusOK, encodeEnv(v))
		return nil
	}
}

func (a *api) patchEnv(perDatabase bool) restkit.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in envPatchIn
		if err := decode(r, &in, false); err != nil {
			return err
		}
		ws, db, err := a.envTarget(r, perDatabase)
		if err != nil {
			return err
		}
		name := r.PathValue("varName")
		newName := in.Name
		if newName != nil && *newName == name {
			newName = nil
		}
		if _, err := a.res.UpdateEnvVar(r.Context(), ws, db, name, newName, in.Value); err != nil {
			return err
		}
		return empty(w)
	}
}

func (a *api) deleteEnv(perDatabase bool) restkit.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ws, db, err := a.envTarget(r, perDatabase)
		if err != nil {
			return err
		}
		if err := a.res.DeleteEnvVar(r.Context(), ws, db, r.PathValue("varName")); err != nil {
			return err
		}
		return empty(w)
	}
}

func (a *api) getTeamSettings(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := a.envTarget(r, false)
	if err != nil {
		return err
	}
	vars, err := a.res.EnvVars(r.Context(), ws, nil)
	if err != nil {
		return err
	}
	restkit.WriteJSON(w, http.StatusOK, teamSettingsOut{EnvVars: envList(vars)})
	return nil
}

func (a *api) patchTeamSettings(w http.ResponseWriter, r *http.Request) error {
	var in teamSettingsIn
	if err := decode(r, &in, false); err != nil {
		return err
	}
	ws, _, err := a.envTarget(r, false)
	if err != nil {
		return err
	}
	if in.AllowedHosts != nil {
		return gqlbase.Errorf(gqlbase.CodeNotImplemented, "allowedHosts is server configuration in gqlbase (--allowed-origins)")
	}
	if len(in.EnvVars) > 0 {
		vars := map[string]string{}
		for _, v := range in.EnvVars {
			vars[v.Name] = v.Value
		}
		if err := a.res.SetEnvVars(r.Context(), ws, nil, vars); err != nil {
			return err
		}
	}
	return empty(w)
}
