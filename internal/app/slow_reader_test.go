package app_test

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"certlink/internal/app"
	"certlink/internal/testenv"
)

// A GraphQL answer must be taken by the client within the request's timeout
// plus the download stall: a client that asks for a large answer and stops
// reading holds it (and its memory) until then, not for the server's write
// timeout meant for downloads (outside review: 600 s).
func TestSlowReaderOfAnAnswerIsCut(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) {
		c.RequestTimeout = 2 * time.Second
		c.DownloadStall = time.Second
	})
	alex := e.Demo("alex@contoso.example")
	bigTickets(t, e, "alex@contoso.example", 100, strings.Repeat("\U0001D54F", 16000)) // 64,000 bytes each
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Three answers of 6.4 MB asked at once (HTTP/1.1 pipelining): more than
	// the kernel's buffers on both sides hold, so the server's writes wait
	// for a client that reads nothing.
	q := `{"query":"{supportTickets(first:100){edges{node{body}}}}"}`
	for range 3 {
		fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", alex, len(q), q)
	}
	time.Sleep(8 * time.Second) // past 2 s + 1 s, reading nothing
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	n, err := io.Copy(io.Discard, conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the connection was still open 20 s after the write deadline (%d bytes read)", n)
	}
	if n >= 3*6_400_000 {
		t.Fatalf("all three answers arrived (%d bytes) to a client that read nothing for 8 s", n)
	}
}
