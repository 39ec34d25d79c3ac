package resolvers

import (
	"context"

	"github.com/gqlbase/gqlbase"
)

// SignUp is the use case behind the signUp mutation; REST dialects call it too.
func (r *Resolver) SignUp(ctx context.Context, input gqlbase.SignUpInput) (*gqlbase.AuthPayload, error) {
	if !r.AllowSignUp {
		return nil, gqlbase.Forbidden("sign-up is disabled on this server: ask an administrator for an invitation")
	}
	email, err := checkEmail(input.Email)
	if err != nil {
		return nil, signUpEmailRefused()
	}
	if err := checkPassword(input.Password, "password"); err != nil {
		return nil, err
	}
	name := ""
	if input.Name != nil {
		if name, err = checkName(*input.Name, "name"); err != nil {
			return nil, err
		}
	}
	wsName := name
	if input.WorkspaceName != nil {
		if wsName, err = checkName(*input.WorkspaceName, "workspaceName"); err != nil {
			return nil, err
		}
	}
	if wsName == "" {
		wsName = email
	}
	// A registered address fails here, after hashing the password like a fresh one, with
	// the answer a malformed address gets.
	hash, err := r.signUpHash(ctx, input.Password)
	if err != nil {
		return nil, err
	}
	user, err := r.Store.CreateUser(ctx, email, name, hash)
	if gqlbase.ErrorCode(err) == gqlbase.CodeConflict {
		return nil, signUpEmailRefused()
	}
	if err != nil {
		return nil, err
	}
	if _, err := r.Store.CreateWorkspace(ctx, wsName, user); err != nil {
		return nil, err
	}
	return r.newSession(ctx, user)
}

// LogIn is the use case behind the logIn mutation; REST dialects call it too.
func (r *Resolver) LogIn(ctx context.Context, input gqlbase.LogInInput) (*gqlbase.AuthPayload, error) {
	user, err := r.checkLogIn(ctx, input)
	if err != nil {
		return nil, err
	}
	return r.newSession(ctx, user)
}

// checkLogIn checks an email and password under the log-in limits and returns the user.
func (r *Resolver) checkLogIn(ctx context.Context, input gqlbase.LogInInput) (*gqlbase.User, error) {
	attempt, err := r.beginLogIn(ctx, input.Email)
	if err != nil {
		return nil, err
	}
	user, hash, err := r.Store.UserByEmail(ctx, input.Email)
	if err != nil && gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		attempt.release()
		return nil, err
	}
	if user == nil {
		hash = dummyHash
	}
	ok, err := r.verifyPassword(ctx, input.Password, hash)
	if err != nil {
		attempt.release()
		return nil, err
	}
	if !ok || user == nil {
		return nil, gqlbase.Unauthenticated("wrong email or password")
	}
	attempt.succeeded()
	return user, nil
}

// LogOut is the use case behind the logOut mutation; REST dialects call it too.
func (r *Resolver) LogOut(ctx context.Context) (bool, error) {
	defer r.ForgetPrincipals() // what the credential grants changes
	p, err := principalOrError(gqlbase.PrincipalFrom(ctx))
	if err != nil {
		return false, err
	}
	if p.SessionID == 0 {
		return false, gqlbase.BadInput("logOut ends a session; this request authenticated with an API token (revoke it instead)")
	}
	if p.JWT {
		return true, r.Store.RevokeSession(ctx, p.SessionID)
	}
	return true, r.Store.DeleteSession(ctx, p.SessionID)
}

// ChangePassword is the use case behind the changePassword mutation; REST dialects call it too.
func (r *Resolver) ChangePassword(ctx context.Context, input gqlbase.ChangePasswordInput) (bool, error) {
	defer r.ForgetPrincipals() // what the credential grants changes
	p, err := principalOrError(gqlbase.PrincipalFrom(ctx))
	if err != nil {
		return false, err
	}
	if p.Kind != gqlbase.PrincipalUser {
		return false, gqlbase.Forbidden("only a logged-in user can change its password")
	}
	if err := checkPassword(input.NewPassword, "newPassword"); err != nil {
		return false, err
	}
	if err := r.beginPasswordChange(ctx); err != nil {
		return false, err
	}
	_, hash, err := r.Store.UserByID(ctx, p.UserID)
	if err != nil {
		return false, err
	}
	ok, err := r.verifyPassword(ctx, input.CurrentPassword, hash)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, gqlbase.Forbidden("the current password is wrong").WithField("currentPassword")
	}
	newHash, err := r.hashPassword(ctx, input.NewPassword)
	if err != nil {
		return false, err
	}
	if err := r.Store.SetPassword(ctx, p.UserID, newHash, p.SessionID); err != nil {
		return false, err
	}
	return true, nil
}

// Me is the use case behind the me query; REST dialects call it too.
func (r *Resolver) Me(ctx context.Context) (*gqlbase.Principal, error) {
	return principalOrError(gqlbase.PrincipalFrom(ctx))
}
