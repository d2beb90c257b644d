package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"certlink/internal/apperr"
	"certlink/internal/guard"
	"certlink/internal/viewer"
	"certlink/internal/web"
)

// Streamed downloads (GET /reports/skills.csv and /reports/audit.csv) are
// bounded three ways against clients that read slowly or not at all:
//
//   - No database connection waits for the client: the skills report is
//     written from the database into a spool file at the database's pace and
//     sent from there at the client's (the audit log reads in keyset pages,
//     each read whole before it is written). A stalled reader holds a file and
//     a socket, never one of the pool's few connections.
//   - A minimum rate: each chunk (at most 64 KB) must be accepted within
//     --download-stall (30 s), or the download is cut; the whole download
//     still ends at WriteTimeout.
//   - Concurrency: --downloads-per-account (3), --downloads-per-organization
//     (8: one organization's accounts cannot take the whole process) and
//     --downloads-per-process (32) at once; beyond them RATE_LIMITED (429)
//     with Retry-After.
const (
	DefaultDownloadStall       = 30 * time.Second
	DefaultDownloadsPerAccount = 3
	// DefaultDownloadsPerOrganization is a quarter of the process's: a
	// review's one organization, with 11 self-invited admins reading slowly,
	// held all 32 and every other organization's downloads were refused.
	DefaultDownloadsPerOrganization = 8
	DefaultDownloadsPerProcess      = 32
	// downloadRetryAfter is the Retry-After of a refused download, in seconds.
	downloadRetryAfter = 10
	// downloadChunk is the most one write to the client carries.
	downloadChunk = 64 << 10
)

// beginDownload takes a download slot for v, or answers why not: the caller
// writes the error (RATE_LIMITED) with w's Retry-After. The release it returns
// gives the slot back (once, however often called). An anonymous caller takes
// none: the download refuses it before anything is read.
//
// A download also costs its caller API points (A4), as a GraphQL answer
// does: one to start, taken here (a caller out of points is refused before a
// byte is read), and one per downloadBytesPerPoint sent, charged when it
// ends (settleDownload).
func (a *App) beginDownload(ctx context.Context, w http.ResponseWriter, v *viewer.Viewer) (release func(), err error) {
	release, err = a.downloadSlot(w, v)
	if err != nil || v == nil || a.RateLimits == nil {
		return release, err
	}
	if err := a.RateLimits.Charge(ctx, 1); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// downloadSlot counts a download among its owner's and the process's.
func (a *App) downloadSlot(w http.ResponseWriter, v *viewer.Viewer) (release func(), err error) {
	if v == nil {
		return func() {}, nil
	}
	org := ""
	if v.OrgID != 0 {
		org = strconv.Itoa(v.OrgID)
	}
	release, n, why := a.downloads.take(ownerOf(v), org, a.Config.DownloadsPerAccount, a.Config.DownloadsPerOrganization, a.Config.DownloadsPerProcess)
	if release != nil {
		return release, nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(downloadRetryAfter))
	msg := "The server is sending as many downloads as it takes at once: try again in a few seconds."
	switch why {
	case ownerFull:
		msg = fmt.Sprintf("You have %d downloads running already, the most at once: try again when one has finished.", n)
	case groupFull:
		msg = fmt.Sprintf("Your organization has %d downloads running already, the most it may run at once: try again when one has finished.", n)
	}
	return nil, apperr.New(apperr.RateLimited, "%s", msg).With("retryAfterSeconds", downloadRetryAfter)
}

// Downloads is how many streamed downloads are running (tests, metrics).
func (a *App) Downloads() int { return a.downloads.running() }

// downloadBytesPerPoint is how much of a download costs one API point: a
// CSV row is about 150 bytes, so a point per 6,600 rows or so.
const downloadBytesPerPoint = 1 << 20

// settleDownload charges the caller for what out sent.
func (a *App) settleDownload(ctx context.Context, out *pacedWriter) {
	if a.RateLimits != nil && out.sent > 0 {
		a.RateLimits.Settle(guard.CallerKey(ctx), float64(out.sent)/downloadBytesPerPoint)
	}
}

// pacedWriter writes a download to its client: each write and flush must be
// accepted within stall, and all of them by end (the server's WriteTimeout,
// which a write deadline would otherwise replace). sent counts its bytes.
type pacedWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
	end   time.Time
	sent  int64
}

func (a *App) paced(w http.ResponseWriter) *pacedWriter {
	return &pacedWriter{w: w, rc: http.NewResponseController(w), stall: a.Config.DownloadStall, end: time.Now().Add(WriteTimeout)}
}

func (p *pacedWriter) deadline() {
	d := time.Now().Add(p.stall)
	if d.After(p.end) {
		d = p.end
	}
	// Not supported only under a test's recorder: the server's WriteTimeout holds.
	_ = p.rc.SetWriteDeadline(d)
}

func (p *pacedWriter) Write(b []byte) (int, error) {
	p.deadline()
	n, err := p.w.Write(b)
	p.sent += int64(n)
	return n, err
}

// Flush sends what the response buffers hold.
func (p *pacedWriter) Flush() error {
	p.deadline()
	if err := p.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	return nil
}

// spool holds a download between the database and the client: one producer
// appends, one consumer reads behind it as it grows. It lives in an unlinked
// temporary file: memory stays constant at any size, and the space returns
// when it closes, even after a crash.
type spool struct {
	f    *os.File
	mu   sync.Mutex
	grew *sync.Cond
	size int64 // written by the producer only, under mu
	done bool
	err  error
}

func newSpool() (*spool, error) {
	f, err := os.CreateTemp("", "certlink-download-*")
	if err != nil {
		return nil, fmt.Errorf("creating the download's spool file: %w", err)
	}
	_ = os.Remove(f.Name())
	s := &spool{f: f}
	s.grew = sync.NewCond(&s.mu)
	return s, nil
}

// Write appends p (the producer).
func (s *spool) Write(p []byte) (int, error) {
	n, err := s.f.WriteAt(p, s.size)
	s.mu.Lock()
	s.size += int64(n)
	s.mu.Unlock()
	s.grew.Broadcast()
	if err != nil {
		return n, fmt.Errorf("writing the download's spool file: %w", err)
	}
	return n, nil
}

// finish marks the end of the producer's bytes; err is why it stopped early.
func (s *spool) finish(err error) {
	s.mu.Lock()
	s.done, s.err = true, err
	s.mu.Unlock()
	s.grew.Broadcast()
}

// readAt waits for bytes at off and reads some into p; at the end it returns
// io.EOF, or the producer's error.
func (s *spool) readAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	for s.size <= off && !s.done {
		s.grew.Wait()
	}
	size, err := s.size, s.err
	s.mu.Unlock()
	if size <= off {
		if err != nil {
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > size-off {
		p = p[:size-off]
	}
	return s.f.ReadAt(p, off)
}

// sendSpooled runs produce into a spool and sends the spool to out as it
// fills: produce reads the database at its own pace, whatever the client's.
// It returns produce's error, or the client's (a cut or gone download).
func sendSpooled(ctx context.Context, out *pacedWriter, produce func(ctx context.Context, w io.Writer) error) error {
	sp, err := newSpool()
	if err != nil {
		return err
	}
	defer sp.f.Close()
	ctx, cancel := context.WithCancel(ctx)
	produced := make(chan struct{})
	go func() {
		defer close(produced)
		sp.finish(produce(ctx, sp))
	}()
	defer func() {
		cancel() // a client that left or was cut stops the producer
		<-produced
	}()
	buf := make([]byte, downloadChunk)
	for off := int64(0); ; {
		n, err := sp.readAt(buf, off)
		if n > 0 {
			if _, werr := out.Write(buf[:n]); werr != nil {
				return fmt.Errorf("sending the download: %w", werr)
			}
			if werr := out.Flush(); werr != nil {
				return fmt.Errorf("sending the download: %w", werr)
			}
			off += int64(n)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// logDownload logs why a download ended short: at info when the client left
// or was cut for reading too slowly, as an error otherwise.
func (a *App) logDownload(ctx context.Context, what string, err error) {
	level := slog.LevelError
	var ne interface{ Timeout() bool }
	if ctx.Err() != nil || errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, http.ErrHandlerTimeout) {
		level = slog.LevelInfo
	}
	a.Log.Log(ctx, level, what, "request_id", web.RequestID(ctx), "err", err)
}
