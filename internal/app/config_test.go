package app_test

import (
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"

	"certlink/internal/app"
	"certlink/internal/testenv"
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

// TestDemoFlag: --demo looks boolean, so the bare form is accepted and means
// true; true, false and auto in the usual spellings; anything else is refused
// while parsing, naming the flag.
func TestDemoFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  string
		want string
		bad  bool
	}{
		{args: nil, want: "auto"},
		{args: []string{"--demo"}, want: "true"},
		{args: []string{"-demo"}, want: "true"},
		{args: []string{"--demo=false"}, want: "false"},
		{args: []string{"--demo=0"}, want: "false"},
		{args: []string{"--demo=TRUE"}, want: "true"},
		{args: []string{"--demo=auto"}, want: "auto"},
		{env: "1", want: "true"},
		{env: "false", args: []string{"--demo"}, want: "true"},
		{args: []string{"--demo=maybe"}, bad: true},
	} {
		if c.env != "" {
			t.Setenv("CERTLINK_DEMO", c.env)
		}
		var cfg app.Config
		fs := flag.NewFlagSet("certlink", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cfg.Flags(fs)
		err := fs.Parse(c.args)
		if c.bad {
			if err == nil || !strings.Contains(err.Error(), "-demo") || !strings.Contains(err.Error(), "want true, false or auto") {
				t.Fatalf("%v: %v", c.args, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v (env %q): %v", c.args, c.env, err)
		}
		if err := cfg.Validate(); err != nil || cfg.Demo != c.want {
			t.Fatalf("%v (env %q): demo %q, %v; want %q", c.args, c.env, cfg.Demo, err, c.want)
		}
	}
}

// --trusted-proxies comes from the environment too and is checked at start.
func TestTrustedProxiesFlag(t *testing.T) {
	t.Setenv("CERTLINK_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")
	var c app.Config
	fs := flag.NewFlagSet("certlink", flag.ContinueOnError)
	c.Flags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c.TrustedProxies != "10.0.0.0/8, 192.0.2.7" {
		t.Fatalf("from the environment: %q", c.TrustedProxies)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.TrustedProxies = "10.0.0.0/40"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--trusted-proxies") {
		t.Fatalf("a bad prefix: %v", err)
	}
}

// Allowed origins are written as browsers send them: an origin that is not
// one, or a Unicode host, is refused at start (it would never match); a
// default port or capitals are the same origin (a review's
// https://App.Example:443 refused the app's own live updates).
func TestOriginsConfig(t *testing.T) {
	base := func() app.Config {
		var c app.Config
		fs := flag.NewFlagSet("certlink", flag.ContinueOnError)
		c.Flags(fs)
		if err := fs.Parse(nil); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, bad := range []struct{ public, cors string }{
		{"ftp://certlink.example", ""}, {"", "tools.example"}, {"", "https://bücher.example"}, {"https://bücher.example", ""},
	} {
		c := base()
		c.PublicURL, c.CORSOrigins = bad.public, bad.cors
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--cors-origins") {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	c := base()
	c.Addr = ":8080" // every interface, no --public-url: the default is not refused
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.CORSOrigins = "https://App.Example:443" })
	req, _ := http.NewRequest(http.MethodOptions, e.URL+"/graphql", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "https://app.example" {
		t.Fatalf("preflight from https://app.example with --cors-origins https://App.Example:443: %q", got)
	}
}

// --log-level and --log-format take the values the help names; another is
// refused at start (review: "verbose" and "xml" started, logging at info as
// text).
func TestLogFlagsAreChecked(t *testing.T) {
	for _, c := range []struct {
		args []string
		bad  string
	}{
		{[]string{"--log-level", "debug", "--log-format", "json"}, ""},
		{[]string{"--log-level", "WARN"}, ""},
		{[]string{"--log-level", "verbose"}, "--log-level"},
		{[]string{"--log-format", "xml"}, "--log-format"},
	} {
		var cfg app.Config
		fs := flag.NewFlagSet("certlink", flag.ContinueOnError)
		cfg.Flags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		err := cfg.Validate()
		if (c.bad == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.bad)) {
			t.Errorf("%v: %v", c.args, err)
		}
	}
}
