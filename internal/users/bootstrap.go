package users

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"

	"certlink/ent"
	"certlink/ent/organization"
	"certlink/ent/user"
	"certlink/internal/apperr"
	"certlink/internal/auth"
	"certlink/internal/domains"
	"certlink/internal/store"
	"certlink/internal/text"
	"certlink/internal/viewer"
)

// orgNameField is an organization's name, as the schema holds it.
var orgNameField = text.Field{Name: "name", What: "An organization's name", Max: 200,
	Length: "Give the organization a name of 1 to 200 characters."}

// NewOrganization is what `certlink add-organization` adds: a partner
// organization, the email domain its work accounts live in, and its first
// Global Admin, who invites everyone else from the web app.
type NewOrganization struct {
	MpnID, Name, Domain string
	AdminEmail          string
	AdminName           string
}

// AddOrganization adds in to the database behind c, in one transaction, and
// returns the admin's temporary password (to be changed at the first
// sign-in). An installation without the demo starts here: nothing else
// creates an organization.
func AddOrganization(ctx context.Context, c *ent.Client, in NewOrganization) (string, error) {
	sys := viewer.System(ctx)
	email, err := checkEmail(in.AdminEmail)
	if err != nil {
		return "", err
	}
	name, err := checkName(in.AdminName)
	if err != nil {
		return "", err
	}
	// The schema's own checks; the refusal in words.
	if organization.MpnIDValidator(in.MpnID) != nil {
		return "", apperr.New(apperr.InvalidInput, "An MPN ID is 7 digits, not %q.", in.MpnID)
	}
	orgName, err := orgNameField.Check(in.Name)
	if err != nil {
		return "", err
	}
	if organization.NameValidator(orgName) != nil {
		return "", apperr.New(apperr.InvalidInput, "An organization's name is at most 200 bytes of UTF-8 (fewer characters outside ASCII).")
	}
	dom, err := domains.Normalize(in.Domain)
	if err != nil {
		return "", err
	}
	if domains.Of(email) != dom {
		return "", apperr.New(apperr.InvalidInput, "The admin's address %s is not in the organization's domain %s.", email, dom)
	}
	temp, hash, err := temporaryPassword()
	if err != nil {
		return "", err
	}
	err = store.InTx(sys, c, func(tx *ent.Tx) error {
		if n, err := tx.Organization.Query().Where(organization.MpnID(in.MpnID)).Count(sys); err != nil || n > 0 {
			if err == nil {
				err = apperr.New(apperr.Conflict, "An organization with MPN ID %s exists already.", in.MpnID)
			}
			return err
		}
		org, err := tx.Organization.Create().SetMpnID(in.MpnID).SetName(orgName).Save(sys)
		if err != nil {
			return err
		}
		// The rules an operator's verifyOrganizationDomain and an admin's
		// invitation keep.
		if _, err := domains.Add(sys, tx.Client(), org, dom, nil); err != nil {
			return err
		}
		if err := emailFree(sys, tx.Client(), org.ID, email, 0); err != nil {
			return err
		}
		return tx.User.Create().SetEmail(email).SetName(name).SetRoles([]string{string(viewer.GlobalAdmin)}).
			SetPasswordHash(hash).SetIssuedPasswordHash(hash).SetMustChangePassword(true).SetOrganization(org).Exec(sys)
	})
	return temp, err
}

// AddOperator adds a platform operator (OPERATOR, in no organization) with a
// temporary password, which it returns.
func AddOperator(ctx context.Context, c *ent.Client, email, name string) (string, error) {
	sys := viewer.System(ctx)
	email, err := checkEmail(email)
	if err != nil {
		return "", err
	}
	if name, err = checkName(name); err != nil {
		return "", err
	}
	temp, hash, err := temporaryPassword()
	if err != nil {
		return "", err
	}
	err = store.InTx(sys, c, func(tx *ent.Tx) error {
		if n, err := tx.User.Query().Where(user.Email(email), user.DeletedAtIsNil()).Count(sys); err != nil || n > 0 {
			if err == nil {
				err = apperr.New(apperr.Conflict, "A work account %s exists already.", email)
			}
			return err
		}
		return tx.User.Create().SetEmail(email).SetName(name).SetRoles([]string{string(viewer.Operator)}).
			SetPasswordHash(hash).SetIssuedPasswordHash(hash).SetMustChangePassword(true).Exec(sys)
	})
	return temp, err
}

// temporaryPassword is a first sign-in's password and its hash, as
// invitations give.
func temporaryPassword() (string, string, error) {
	p, err := newTemporary()
	if err != nil {
		return "", "", err
	}
	h, err := auth.HashPassword(p)
	return p, h, err
}

// newTemporary is a temporary password: 16 random base32 letters and
// digits in four groups.
func newTemporary() (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	p := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return p[:4] + "-" + p[4:8] + "-" + p[8:12] + "-" + p[12:], nil
}
