package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"certlink/internal/app"
	"certlink/internal/apperr"
	"certlink/internal/store"
	"certlink/internal/users"
)

func init() {
	subcommands["add-organization"] = addOrganizationCommand
	subcommands["add-operator"] = addOperatorCommand
}

// dbFlag is --db as the server reads it.
func dbFlag(fs *flag.FlagSet) *string {
	var dsn string
	app.DBFlag(fs, &dsn)
	return &dsn
}

// addOrganizationCommand is `certlink add-organization`: a partner
// organization, its email domain and its first Global Admin, who gets a
// temporary password and invites everyone else from the web app.
func addOrganizationCommand(args []string) int {
	fs := flag.NewFlagSet("certlink add-organization", flag.ContinueOnError)
	db := dbFlag(fs)
	var in users.NewOrganization
	fs.StringVar(&in.MpnID, "mpn-id", "", "the organization's MPN ID (7 digits)")
	fs.StringVar(&in.Name, "name", "", "the organization's name")
	fs.StringVar(&in.Domain, "domain", "", "the email domain its work accounts live in (verified by you)")
	fs.StringVar(&in.AdminEmail, "admin-email", "", "the first Global Admin's work email, in that domain")
	fs.StringVar(&in.AdminName, "admin-name", "", "the first Global Admin's name")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return runAdmin(fs, *db, "the Global Admin "+in.AdminEmail, func(ctx context.Context, d *store.DB) (string, error) {
		return users.AddOrganization(ctx, d.Client, in)
	})
}

// addOperatorCommand is `certlink add-operator`: platform staff (OPERATOR).
func addOperatorCommand(args []string) int {
	fs := flag.NewFlagSet("certlink add-operator", flag.ContinueOnError)
	db := dbFlag(fs)
	email := fs.String("email", "", "the operator's work email")
	name := fs.String("name", "", "the operator's name")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return runAdmin(fs, *db, "the operator "+*email, func(ctx context.Context, d *store.DB) (string, error) {
		return users.AddOperator(ctx, d.Client, *email, *name)
	})
}

func runAdmin(fs *flag.FlagSet, dsn, who string, add func(context.Context, *store.DB) (string, error)) int {
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2
	}
	ctx := context.Background()
	d, err := store.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "certlink:", err)
		return 1
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "certlink:", err)
		return 1
	}
	temp, err := add(ctx, d)
	if err != nil {
		if e, ok := apperr.As(err); ok {
			fmt.Fprintf(os.Stderr, "%s: %s %s\n", fs.Name(), e.Code, e.Message)
			return 1
		}
		fmt.Fprintf(os.Stderr, "%s: %v\n", fs.Name(), err)
		return 1
	}
	fmt.Printf("Added %s. Temporary password (shown only now; they choose their own at the first sign-in): %s\n", who, temp)
	return 0
}
