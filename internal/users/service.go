package users

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"certlink/ent"
	"certlink/ent/token"
	"certlink/ent/user"
	"certlink/internal/account"
	"certlink/internal/apperr"
	"certlink/internal/auth"
	"certlink/internal/clock"
	"certlink/internal/domains"
	"certlink/internal/history"
	"certlink/internal/linking"
	"certlink/internal/notify"
	"certlink/internal/people"
	"certlink/internal/store"
	"certlink/internal/text"
	"certlink/internal/viewer"
)

// Service manages work accounts.
type Service struct {
	Client *ent.Client
	// Observers hear about links ended by a deletion or a removal from the
	// report (history, at-risk notifications): the linking service's observers.
	Observers []linking.Observer
	// Accounts checks and hashes passwords (bounded, throttled).
	Accounts  *account.Service
	PublicURL string
	// SSOInvites: invitations carry a single sign-on link (--oidc-issuer is set).
	SSOInvites bool
	RowLocks   bool
	Now        func() time.Time
	// Changed is told after a commit that changed who counts for an organization.
	Changed func(orgIDs ...int)
	// Wake is told after a commit that queued mail.
	Wake func()
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Query returns the viewer's organization's live users, for listing (U1): the
// organization's admins, and partner tools with USERS_READ.
func (s *Service) Query(ctx context.Context, v *viewer.Viewer) (*ent.UserQuery, error) {
	if v == nil {
		return nil, apperr.ErrUnauthenticated
	}
	if !v.IsUserAdmin() {
		return nil, apperr.New(apperr.Forbidden, "Only your organization's admins can list its users.")
	}
	if !v.HasScope(viewer.ScopeUsersRead) {
		return nil, apperr.ScopeMissing(viewer.ScopeUsersRead)
	}
	return s.Client.User.Query().Where(user.OrganizationID(v.OrgID), user.DeletedAtIsNil()), nil
}

// target loads a live user of the viewer's organization; any other id is
// NOT_FOUND, so ids of other organizations reveal nothing.
func (s *Service) target(ctx context.Context, c *ent.Client, v *viewer.Viewer, id int, lock bool) (*ent.User, error) {
	q := c.User.Query().Where(user.ID(id), user.OrganizationID(v.OrgID), user.DeletedAtIsNil())
	if lock && s.RowLocks {
		q.ForUpdate()
	}
	u, err := q.Only(viewer.System(ctx))
	if ent.IsNotFound(err) {
		return nil, apperr.New(apperr.NotFound, "There is no such user in your organization.")
	}
	return u, err
}

// Invited is a new or re-invited user and the temporary password, shown once.
type Invited struct {
	User              *ent.User
	TemporaryPassword string
}

// InviteInput is a new work account.
type InviteInput struct {
	Email, Name string
	Roles       []string
}

// Invite creates a work account with a temporary password the user must change
// at first sign-in, and mails them an invitation to sign in (U2).
func (s *Service) Invite(ctx context.Context, v *viewer.Viewer, in InviteInput) (*Invited, error) {
	if err := canManage(v); err != nil {
		return nil, err
	}
	email, err := checkEmail(in.Email)
	if err != nil {
		return nil, err
	}
	name, err := checkName(in.Name)
	if err != nil {
		return nil, err
	}
	roles := normalizeRoles(in.Roles)
	if len(roles) > 0 {
		if err := checkChange(v, nil, roles); err != nil {
			return nil, err
		}
	}
	temp, hash, err := s.temporaryPassword(ctx)
	if err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	var u *ent.User
	err = store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		v, err := s.actor(ctx, tx, v)
		if err != nil {
			return err
		}
		if err := canManage(v); err != nil {
			return err
		}
		if len(roles) > 0 {
			if err := checkChange(v, nil, roles); err != nil {
				return err
			}
		}
		if err := domains.Claims(ctx, tx.Client(), v.OrgID, email); err != nil {
			return err
		}
		if err := emailFree(sys, tx.Client(), v.OrgID, email, 0); err != nil {
			return err
		}
		u, err = tx.User.Create().SetEmail(email).SetName(name).SetRoles(roles).SetPasswordHash(hash).SetIssuedPasswordHash(hash).
			SetMustChangePassword(true).SetOrganizationID(v.OrgID).SetCreatedAt(s.now()).Save(sys)
		if err != nil {
			return err
		}
		if err := s.inviteMail(sys, tx, v, u); err != nil {
			return err
		}
		return history.Record(sys, tx.Client(), history.Event{Action: history.UserInvited, ActorID: v.UserID,
			OrgID: v.OrgID, UserID: u.ID, Detail: fmt.Sprintf("%s invited %s (%s) with roles %s.", v.Email, name, email, rolesText(roles))})
	})
	if err != nil {
		return nil, err
	}
	s.wake()
	return &Invited{User: store.Detached(u), TemporaryPassword: temp}, nil
}

// ResendInvite gives a user who has not signed in yet a new temporary password
// (the old one stops working) and mails the invitation again.
func (s *Service) ResendInvite(ctx context.Context, v *viewer.Viewer, id int) (*Invited, error) {
	if err := canManage(v); err != nil {
		return nil, err
	}
	temp, hash, err := s.temporaryPassword(ctx)
	if err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	var u *ent.User
	err = store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		v, t, err := s.actOn(ctx, tx, v, id)
		if err != nil {
			return err
		}
		if !t.MustChangePassword {
			return apperr.New(apperr.Conflict, "%s has already signed in and set a password; there is no invitation to resend.", t.Email)
		}
		if u, err = tx.User.UpdateOne(t).SetPasswordHash(hash).SetIssuedPasswordHash(hash).Save(sys); err != nil {
			return err
		}
		// Sessions opened with the previous temporary password end with it.
		if err := tx.Token.Update().Where(token.UserID(t.ID), token.KindEQ(token.KindSESSION), token.RevokedAtIsNil()).
			SetRevokedAt(s.now()).Exec(sys); err != nil {
			return err
		}
		if err := s.inviteMail(sys, tx, v, u); err != nil {
			return err
		}
		return history.Record(sys, tx.Client(), history.Event{Action: history.InviteResent, ActorID: v.UserID,
			OrgID: v.OrgID, UserID: u.ID, Detail: fmt.Sprintf("%s sent %s (%s) a new invitation.", v.Email, u.Name, u.Email)})
	})
	if err != nil {
		return nil, err
	}
	s.wake()
	return &Invited{User: store.Detached(u), TemporaryPassword: temp}, nil
}

// actOn starts a change of another person's account: the acting admin as they
// are now (actor), allowed to manage users, and the target — a live account of
// the same organization, locked — within their reach (mayActOn).
func (s *Service) actOn(ctx context.Context, tx *ent.Tx, v *viewer.Viewer, id int) (*viewer.Viewer, *ent.User, error) {
	v, err := s.actor(ctx, tx, v)
	if err != nil {
		return nil, nil, err
	}
	if err := canManage(v); err != nil {
		return nil, nil, err
	}
	t, err := s.target(ctx, tx.Client(), v, id, true)
	if err != nil {
		return nil, nil, err
	}
	if err := mayActOn(v, t.Roles); err != nil {
		return nil, nil, err
	}
	return v, t, nil
}

func (s *Service) inviteMail(ctx context.Context, tx *ent.Tx, v *viewer.Viewer, u *ent.User) error {
	org, err := tx.Organization.Get(ctx, v.OrgID)
	if err != nil {
		return err
	}
	now := s.now()
	base := strings.TrimRight(s.PublicURL, "/")
	body := fmt.Sprintf("Hello %s,\n\n%s invited you to certlink for %s.\n\nSign in at %s with %s and the temporary password %s gives you; you will choose your own password then.",
		u.Name, v.Name, org.Name, base+"/", u.Email, v.Name)
	if s.SSOInvites {
		// The link proves this mailbox is the invitee's: it binds their single
		// sign-on identity (with this verified address) to the account.
		link := base + "/auth/oidc/login?invite=" + url.QueryEscape(account.InviteToken(ctx, u, now.Add(account.InviteLifetime)))
		body += fmt.Sprintf("\n\nIf your organization signs in with single sign-on, open this link instead (it works once, for 7 days):\n%s", link)
	}
	body += "\n\n— certlink"
	return notify.Enqueue(ctx, tx.Client(), notify.Mail{
		To: u.Email, Subject: "You are invited to certlink (" + org.Name + ")", Body: body,
		RecipientID: u.ID, OrgID: v.OrgID,
		DedupeKey: fmt.Sprintf("%su%d/%d", notify.InviteMailPrefix, u.ID, now.UnixNano()),
	}, now)
}

// UpdateInput corrects a user's email or name (nil: unchanged).
// ExpectedEmail and ExpectedName, when set, are what the change was made
// from: an account that differs now is not changed (CONFLICT).
type UpdateInput struct {
	ID                          int
	Email, Name                 *string
	ExpectedEmail, ExpectedName *string
}

// changedSince refuses a change made from what the account no longer is: two
// admins editing one account saw the second overwrite the first unseen (web
// review). The account's row is held, so the check and the change are one.
func changedSince(what string) error {
	return apperr.New(apperr.Conflict, "Someone changed this account's %s since you opened it: look at it again, then make your change.", what).
		With("reason", "CHANGED_SINCE")
}

// Update corrects the email or name of a user (U2).
func (s *Service) Update(ctx context.Context, v *viewer.Viewer, in UpdateInput) (*ent.User, error) {
	if err := canManage(v); err != nil {
		return nil, err
	}
	sys := viewer.System(ctx)
	var u *ent.User
	err := store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		v, t, err := s.actOn(ctx, tx, v, in.ID)
		if err != nil {
			return err
		}
		if in.ExpectedEmail != nil && linking.NormalizeEmail(*in.ExpectedEmail) != t.Email {
			return changedSince("email")
		}
		if in.ExpectedName != nil && strings.TrimSpace(*in.ExpectedName) != t.Name {
			return changedSince("name")
		}
		up := tx.User.UpdateOne(t)
		var changes []string
		if in.Email != nil {
			email, err := checkEmail(*in.Email)
			if err != nil {
				return err
			}
			if email != t.Email {
				if err := domains.Claims(ctx, tx.Client(), v.OrgID, email); err != nil {
					return err
				}
				if err := emailFree(sys, tx.Client(), v.OrgID, email, t.ID); err != nil {
					return err
				}
				up.SetEmail(email)
				changes = append(changes, fmt.Sprintf("email %s → %s", t.Email, email))
			}
		}
		if in.Name != nil {
			name, err := checkName(*in.Name)
			if err != nil {
				return err
			}
			if name != t.Name {
				up.SetName(name)
				changes = append(changes, fmt.Sprintf("name %q → %q", t.Name, name))
			}
		}
		if u, err = up.Save(sys); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		return history.Record(sys, tx.Client(), history.Event{Action: history.UserUpdated, ActorID: v.UserID,
			OrgID: v.OrgID, UserID: u.ID, Detail: v.Email + " changed " + strings.Join(changes, ", ") + "."})
	})
	if err != nil {
		return nil, err
	}
	return store.Detached(u), nil
}

// AssignRoles sets a user's roles (U1) under the rules of Grantable. The last
// Global Admin of an organization keeps the role.
//
// expected, when not nil, are the roles the change was made from: an account
// whose roles differ now is not changed (CONFLICT).
func (s *Service) AssignRoles(ctx context.Context, v *viewer.Viewer, id int, roles, expected []string) (*ent.User, error) {
	if v == nil {
		return nil, apperr.ErrUnauthenticated
	}
	if len(Grantable(v)) == 0 {
		return nil, apperr.New(apperr.Forbidden, "Only a Global Admin or Account Admin can assign roles.")
	}
	roles = normalizeRoles(roles)
	sys := viewer.System(ctx)
	var u *ent.User
	err := store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		v, err := s.actor(ctx, tx, v)
		if err != nil {
			return err
		}
		if len(Grantable(v)) == 0 {
			return apperr.New(apperr.Forbidden, "Only a Global Admin or Account Admin can assign roles.")
		}
		t, err := s.target(ctx, tx.Client(), v, id, true)
		if err != nil {
			return err
		}
		if err := mayActOn(v, t.Roles); err != nil {
			return err
		}
		if expected != nil && len(symmetricDiff(t.Roles, normalizeRoles(expected))) > 0 {
			return changedSince("roles")
		}
		if err := checkChange(v, t.Roles, roles); err != nil {
			return err
		}
		if slices.Contains(t.Roles, string(viewer.GlobalAdmin)) && !slices.Contains(roles, string(viewer.GlobalAdmin)) {
			if err := s.notLastGlobalAdmin(sys, tx, v.OrgID, t.ID); err != nil {
				return err
			}
		}
		if u, err = tx.User.UpdateOne(t).SetRoles(roles).Save(sys); err != nil {
			return err
		}
		if len(symmetricDiff(t.Roles, roles)) == 0 {
			return nil
		}
		return history.Record(sys, tx.Client(), history.Event{Action: history.RolesChanged, ActorID: v.UserID,
			OrgID: v.OrgID, UserID: u.ID,
			Detail: fmt.Sprintf("%s changed the roles of %s from %s to %s.", v.Email, u.Email, rolesText(t.Roles), rolesText(roles))})
	})
	if err != nil {
		return nil, err
	}
	return store.Detached(u), nil
}

// notLastGlobalAdmin refuses to leave the organization without a Global Admin
// once userID stops being one. It runs under actor's organization lock.
func (s *Service) notLastGlobalAdmin(ctx context.Context, tx *ent.Tx, orgID, userID int) error {
	others, err := tx.User.Query().Where(user.OrganizationID(orgID), user.DeletedAtIsNil(), user.IDNEQ(userID)).All(ctx)
	if err != nil {
		return err
	}
	for _, o := range others {
		if slices.Contains(o.Roles, string(viewer.GlobalAdmin)) {
			return nil
		}
	}
	return apperr.New(apperr.Conflict, "An organization needs at least one Global Admin: make someone else Global Admin first.")
}

// ChangePassword sets the viewer's own password (U2); an invited user must do
// this before anything else. Their other sessions end. The current password is
// checked under the throttle (a stolen session cannot guess it), the new one
// against the password policy.
func (s *Service) ChangePassword(ctx context.Context, v *viewer.Viewer, current, next string) (*ent.User, error) {
	if v == nil {
		return nil, apperr.ErrUnauthenticated
	}
	if !v.IsSession() {
		return nil, apperr.New(apperr.Forbidden, "Sign in with your work account to change its password.")
	}
	if err := auth.CheckNewPassword(next, v.Email); err != nil {
		return nil, err
	}
	if next == current {
		return nil, apperr.New(apperr.InvalidInput, "The new password must differ from the current one.").With("field", "newPassword")
	}
	sys := viewer.System(ctx)
	u, err := s.Client.User.Get(sys, v.UserID)
	if err != nil {
		return nil, err
	}
	if err := s.Accounts.CheckCurrentPassword(ctx, u, current); err != nil {
		return nil, err
	}
	if u.IssuedPasswordHash != "" {
		// The invitation's temporary password went by mail in clear: it is
		// never a password of the user's own, now or on a later change.
		sent, err := s.Accounts.PasswordIs(ctx, u.IssuedPasswordHash, next)
		if err != nil {
			return nil, err
		}
		if sent {
			return nil, apperr.New(apperr.InvalidInput, "That is the temporary password your invitation sent: choose a password of your own.").With("field", "newPassword")
		}
	}
	hash, err := s.Accounts.HashPassword(ctx, next)
	if err != nil {
		return nil, err
	}
	err = store.InTx(sys, s.Client, func(tx *ent.Tx) error {
		// Only if the password is still the one just checked: two changes at
		// once cannot both win, and a reset in between is not overwritten.
		n, err := tx.User.Update().Where(user.ID(u.ID), user.PasswordHash(u.PasswordHash), user.DeletedAtIsNil()).
			SetPasswordHash(hash).SetMustChangePassword(false).Save(sys)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.Conflict, "Your password was changed at the same moment. Sign in again and retry.")
		}
		if u, err = tx.User.Get(sys, u.ID); err != nil {
			return err
		}
		return tx.Token.Update().
			Where(token.UserID(u.ID), token.KindEQ(token.KindSESSION), token.RevokedAtIsNil(), token.IDNEQ(v.TokenID)).
			SetRevokedAt(s.now()).Exec(sys)
	})
	if err != nil {
		return nil, err
	}
	return store.Detached(u), nil
}

func (s *Service) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

func (s *Service) changed(orgs ...int) {
	if s.Changed != nil {
		s.Changed(orgs...)
	}
}

func checkEmail(raw string) (string, error) {
	email := linking.NormalizeEmail(raw)
	if r, bad := linking.InvisibleInEmail(email); bad {
		return "", apperr.New(apperr.InvalidInput, "%q contains an invisible or control character (U+%04X): type the work email address again.", strings.TrimSpace(raw), r).With("field", "email")
	}
	if part, mixed := linking.MixedScriptInEmail(email); mixed {
		return "", apperr.New(apperr.InvalidInput, "%q mixes letters of different scripts in %q (such as Latin and Cyrillic), so it looks like another address: type the work email address again.", strings.TrimSpace(raw), part).With("field", "email")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
		return "", apperr.New(apperr.InvalidInput, "%q is not a valid work email address.", strings.TrimSpace(raw)).With("field", "email")
	}
	// A work account's domain must be one its organization verified; an
	// old routing character in the name part (x%other.example@ours.example,
	// other.example!x@…, a quoted name) has some mail servers deliver to
	// another domain (review).
	if local := email[:strings.LastIndex(email, "@")]; strings.ContainsAny(local, "%!\"@") {
		return "", apperr.New(apperr.InvalidInput, "%q has %s before its @, which some mail servers route to another domain: use the plain work email address.",
			strings.TrimSpace(raw), text.Quote(string(local[strings.IndexAny(local, "%!\"@")]))).With("field", "email")
	}
	return email, nil
}

// personName is a work account's name: one line of at most 200 characters.
var personName = text.Field{Name: "name", What: "A name", Max: 200,
	Length: "Enter a name of 1 to 200 characters."}

func checkName(raw string) (string, error) { return personName.Check(raw) }

func emailFree(ctx context.Context, c *ent.Client, orgID int, email string, self int) error {
	holder, err := c.User.Query().Where(user.Email(email), user.IDNEQ(self)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if holder.OrganizationID != nil && *holder.OrganizationID == orgID {
		return apperr.New(apperr.Conflict, "A work account with the email %s already exists.", email).With("field", "email")
	}
	// Another organization's account in one of this organization's verified
	// domains: domains.noOtherHolders keeps this from happening; data from
	// before it is refused without saying whose the address is.
	return apperr.New(apperr.Conflict, "%s cannot be given to a work account of your organization now: ask certlink support.", email).With("field", "email")
}

// temporaryPassword returns a readable one-time password and its hash.
func (s *Service) temporaryPassword(ctx context.Context) (string, string, error) {
	p, err := newTemporary()
	if err != nil {
		return "", "", err
	}
	h, err := s.Accounts.HashPassword(ctx, p)
	return p, h, err
}

func rolesText(roles []string) string { return people.RolesText(roles) }
