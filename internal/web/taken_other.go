//go:build !linux

package web

import (
	"context"
	"net"
	"time"
)

// AwaitTaken needs Linux's SIOCOUTQ to see the kernel's send queue; elsewhere
// an answer counts as taken once written.
func AwaitTaken(context.Context, net.Conn, time.Time) {}
