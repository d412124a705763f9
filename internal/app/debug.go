package app

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"
)

var osGetenv = os.Getenv

// debugLog is the --debug file: one line per request and per decision.
// It never holds a token, a justification or a query string (authorize
// URLs carry codes and hints there).
type debugLog struct {
	mu sync.Mutex
	w  io.Writer
}

func newDebugLog(w io.Writer) *debugLog {
	if w == nil {
		w = io.Discard
	}
	d := &debugLog{}
	d.w = &lockedWriter{d: d, w: w}
	return d
}

type lockedWriter struct {
	d *debugLog
	w io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.d.mu.Lock()
	defer l.d.mu.Unlock()
	ts := time.Now().UTC().Format("2006-01-02T15:04:05.000Z ")
	if _, err := io.WriteString(l.w, ts); err != nil {
		return 0, err
	}
	return l.w.Write(p)
}

func (d *debugLog) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(d.w, format+"\n", args...)
}

// transport logs each request's method, host, path, status and duration.
func (d *debugLog) transport(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		start := time.Now()
		resp, err := next.RoundTrip(r)
		took := time.Since(start).Round(time.Millisecond)
		switch {
		case err != nil:
			d.printf("http %s %s%s failed after %s: %v", r.Method, r.URL.Host, r.URL.Path, took, err)
		default:
			d.printf("http %s %s%s → %d in %s%s", r.Method, r.URL.Host, r.URL.Path, resp.StatusCode, took, retryNote(resp))
		}
		return resp, err
	})
}

func retryNote(resp *http.Response) string {
	if v := resp.Header.Get("Retry-After"); v != "" {
		return " (Retry-After " + v + ")"
	}
	return ""
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
