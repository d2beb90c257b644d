package app_test

import (
	"flag"
	"strings"
	"testing"

	"certlink/internal/app"
)

func TestDirectoryOIDCFlags(t *testing.T) {
	t.Setenv("CERTLINK_DIRECTORY_OIDC_CLIENT_SECRET", "from-env")
	var c app.Config
	fs := flag.NewFlagSet("certlink", flag.ContinueOnError)
	c.Flags(fs)
	if err := fs.Parse([]string{"--directory-oidc-issuer", "https://directory.example", "--directory-oidc-client-id", "certlink"}); err != nil {
		t.Fatal(err)
	}
	if c.DirectoryOIDCIssuer != "https://directory.example" || c.DirectoryOIDCClientID != "certlink" || c.DirectoryOIDCClientSecret != "from-env" {
		t.Fatalf("parsed %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.DirectoryOIDCClientID = ""
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--directory-oidc-client-id") {
		t.Fatalf("issuer without client id: %v", err)
	}
}
