package store_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"certlink/internal/store"
)

func TestMySQLConfigs(t *testing.T) {
	cfgs, err := store.MySQLConfigs("mysql://app:s%40cret@db1,db2:4307,[::1]:4308/certlink?interpolateParams=false&timeout=7s&wsrep_sync_wait=0")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"db1:3306", "db2:4307", "[::1]:4308"}
	if len(cfgs) != len(want) {
		t.Fatalf("%d hosts, want %d", len(cfgs), len(want))
	}
	for i, c := range cfgs {
		if c.Addr != want[i] {
			t.Errorf("host %d: %s, want %s", i, c.Addr, want[i])
		}
		if c.User != "app" || c.Passwd != "s@cret" || c.DBName != "certlink" {
			t.Errorf("host %d: user %q pass %q db %q", i, c.User, c.Passwd, c.DBName)
		}
		// Forced whatever the URL says: server-side prepared statements lose
		// Galera's aborts (OK answered, nothing stored).
		if !c.InterpolateParams {
			t.Errorf("host %d: interpolateParams off", i)
		}
		// Time bounds in microseconds, as the columns: MariaDB reads a
		// nanosecond bound as no bound at all on an index.
		if !strings.Contains(c.FormatDSN(), "timeTruncate=1µs") {
			t.Errorf("host %d: times are not truncated to microseconds: %s", i, c.FormatDSN())
		}
		if c.Timeout != 7*time.Second {
			t.Errorf("host %d: timeout %v, want the URL's 7s", i, c.Timeout)
		}
		if _, ok := c.Params["timeout"]; ok {
			t.Errorf("host %d: a driver option became a session variable", i)
		}
		if c.Params["wsrep_sync_wait"] != "0" || c.Params["time_zone"] != "'+00:00'" {
			t.Errorf("host %d: session variables %v", i, c.Params)
		}
	}
	one, err := store.MySQLConfigs("mysql://root@127.0.0.1/x")
	if err != nil || len(one) != 1 || one[0].Addr != "127.0.0.1:3306" || one[0].Timeout != 3*time.Second || one[0].Passwd != "" {
		t.Fatalf("single host: %+v %v", one, err)
	}
	for _, bad := range []string{
		"mysql://root@127.0.0.1:3306/", "mysql://root@/db", "mysql://root@h1,,h2/db",
		"postgres://h/db", "mysql://root@h1/db?timeout=soon",
	} {
		if _, err := store.MySQLConfigs(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// The caller's deadline is not the database being down: it must not be
// answered UNAVAILABLE (context's deadline error is also a net.Error).
func TestUnavailableIsTheDatabase(t *testing.T) {
	if store.Unavailable(context.DeadlineExceeded) || store.Unavailable(fmt.Errorf("query: %w", context.Canceled)) {
		t.Error("a deadline or a cancellation is classified as the database unavailable")
	}
	for _, err := range []error{mysql.ErrInvalidConn, driver.ErrBadConn, &mysql.MySQLError{Number: 1047}, &mysql.MySQLError{Number: 1317},
		&mysql.MySQLError{Number: 1180, Message: "Error while appending streaming replication fragment(provider status: Not connected to Primary Component)"},
		&net.OpError{Op: "dial", Err: errors.New("connection refused")}} {
		if !store.Unavailable(fmt.Errorf("wrapped: %w", err)) {
			t.Errorf("%v: not classified as the database unavailable", err)
		}
	}
	if store.Unavailable(&mysql.MySQLError{Number: 1213}) || store.Unavailable(&mysql.MySQLError{Number: 1062}) ||
		store.Unavailable(&mysql.MySQLError{Number: 1180, Message: "Got error 1 \"Operation not permitted\" during COMMIT"}) {
		t.Error("a deadlock or a duplicate is classified as the database unavailable")
	}
}
