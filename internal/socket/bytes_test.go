package socket

import (
	"io"
	"net"
	"testing"
	"time"
)

// The byte budget: whatever the frames, a client's bytes past the burst are
// read at the rate (on a virtual clock that the waits advance).
func TestReadByteBudget(t *testing.T) {
	server, client := net.Pipe()
	defer server.Close()
	const rate, burst, total = 1000, 4096, 20000
	clock := time.Unix(0, 0)
	var slept time.Duration
	c := newThrottledConn(server, rate, burst, clock, func(d time.Duration) { slept += d; clock = clock.Add(d) })
	c.now = func() time.Time { return clock }
	go func() {
		// Empty continuation frames, as a hostile client sends them.
		frame := []byte{0x00, 0x80, 1, 2, 3, 4}
		for i := 0; i < total/len(frame); i++ {
			if _, err := client.Write(frame); err != nil {
				return
			}
		}
		client.Close()
	}()
	n, err := io.Copy(io.Discard, c)
	if err != nil || n != total/6*6 {
		t.Fatalf("read %d: %v", n, err)
	}
	want := time.Duration(float64(n-burst) / rate * float64(time.Second))
	if slept < want-time.Millisecond || slept > want+time.Millisecond {
		t.Fatalf("waited %v for %d bytes, want %v", slept, n, want)
	}
}

// Under the burst nothing waits.
func TestReadByteBudgetBurst(t *testing.T) {
	server, client := net.Pipe()
	defer server.Close()
	c := newThrottledConn(server, 1000, 1<<20, time.Now(), func(time.Duration) { t.Error("waited under the burst") })
	go func() {
		client.Write(make([]byte, 64<<10))
		client.Close()
	}()
	if n, err := io.Copy(io.Discard, c); n != 64<<10 || err != nil {
		t.Fatalf("read %d: %v", n, err)
	}
}
