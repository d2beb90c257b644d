// Package people says how a work account is named to other people: its email
// as it was when it has been deleted (users.Delete releases the address by
// renaming it), its roles in words.
package people

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"certlink/ent"
	"certlink/internal/viewer"
)

// DeletedEmail is the address a deleted work account keeps: its own is
// released so the person can be invited again one day.
func DeletedEmail(id int, email string) string { return fmt.Sprintf("deleted-%d-%s", id, email) }

// Email is the address a person is known by: a deleted account's former one.
func Email(u *ent.User) string { return knownEmail(u.ID, u.Email, u.DeletedAt != nil) }

// knownEmail is Email of the account id holding email, deleted or not.
func knownEmail(id int, email string, deleted bool) string {
	if deleted {
		if rest, ok := strings.CutPrefix(email, fmt.Sprintf("deleted-%d-", id)); ok {
			return rest
		}
	}
	return email
}

// roleNames are the U1 roles as Partner Center names them.
var roleNames = map[string]string{
	"GLOBAL_ADMIN":          "Global Admin",
	"ACCOUNT_ADMIN":         "Account Admin",
	"USER_MANAGEMENT_ADMIN": "User Management Admin",
	"MPN_PARTNER_ADMIN":     "MPN Partner Admin",
	"OPERATOR":              "Operator",
}

// RoleName is a role in words ("Global Admin").
func RoleName(role string) string {
	if n, ok := roleNames[role]; ok {
		return n
	}
	return role
}

// RolesText lists roles in words; none is a default user.
func RolesText(roles []string) string {
	if len(roles) == 0 {
		return "default user"
	}
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = RoleName(r)
	}
	return strings.Join(names, ", ")
}

// Anonymous is how a person outside the reader's organization is named.
const (
	Anonymous = "Someone at another organization"
	Staff     = "certlink staff"
)

// Ref is a person as one reader may see them in history, tickets and tokens.
type Ref struct {
	Name, Email string // Email is "" when withheld
	Deleted     bool
	// Outside: the person is not in the reader's organization; name and email
	// are withheld (an MCID moved between organizations names no one).
	Outside bool
}

// As names work account u to reader v (issue 11 item 10b): in full to people
// of u's organization and to operators; anyone else reads only that it was
// someone elsewhere — another organization's person, or certlink staff (an
// operator). The reader's organization's own people are named even once
// deleted: their history stays theirs.
func As(v *viewer.Viewer, u *ent.User) Ref {
	if v.IsOperator() || (v != nil && v.OrgID != 0 && u.OrganizationID != nil && *u.OrganizationID == v.OrgID) {
		return Ref{Name: u.Name, Email: Email(u), Deleted: u.DeletedAt != nil}
	}
	if u.OrganizationID == nil && slices.Contains(u.Roles, string(viewer.Operator)) {
		return Ref{Name: Staff, Outside: true}
	}
	return Ref{Name: Anonymous, Outside: true}
}

// Party is who and what a link joins, as history and notifications name
// them: the profile's MCID, the person's name and the address they are known
// by (Email).
type Party struct{ MCID, Name, Email string }

// PartyOf reads the Party of a link between work account userID and profile
// profileID in one statement (it runs inside every link's transaction).
func PartyOf(ctx context.Context, c *ent.Client, userID, profileID int) (Party, error) {
	rows, err := c.QueryContext(ctx, "SELECT p.mcid, u.name, u.email, u.deleted_at IS NOT NULL FROM profiles p JOIN users u ON u.id = ? WHERE p.id = ?", userID, profileID)
	if err != nil {
		return Party{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Party{}, err
		}
		return Party{}, fmt.Errorf("the profile %d or the work account %d is missing", profileID, userID)
	}
	var (
		p       Party
		deleted bool
	)
	if err := rows.Scan(&p.MCID, &p.Name, &p.Email, &deleted); err != nil {
		return Party{}, err
	}
	p.Email = knownEmail(userID, p.Email, deleted)
	return p, rows.Close()
}
