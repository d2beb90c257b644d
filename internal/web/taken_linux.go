package web

import (
	"context"
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// AwaitTaken waits until the client has taken what was written to c — the
// kernel's send queue holds at most 64 KB — or until until, when the
// connection is reset (its queue is dropped at once). An answer handed to
// the kernel is not yet taken: a client that reads nothing leaves up to
// several MB per connection in the kernel's buffers (an outside recheck
// held 815 MB of them from 900 unread answers, memory no count saw). The
// caller keeps what the answer holds (its room in the answer memory, its
// request slot) while it waits.
func AwaitTaken(ctx context.Context, c net.Conn, until time.Time) {
	tc := TCPConn(c)
	if tc == nil {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	for {
		queued := 0
		if err := raw.Control(func(fd uintptr) { queued, _ = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ) }); err != nil || queued <= 64<<10 {
			return
		}
		if !time.Now().Before(until) {
			_ = tc.SetLinger(0)
			_ = c.Close()
			return
		}
		t := time.NewTimer(25 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
