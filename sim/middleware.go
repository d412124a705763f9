package sim

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// The middleware every request goes through (Graph, ARM, the authority and
// $batch items): the tenant's Date, gzip bodies, latency, faults, and the
// request log that tests assert on.

// Request is one entry of the request log. It holds the claims of the bearer
// token that came with the request, never the token itself.
type Request struct {
	Time   time.Time
	Method string
	Path   string // without query
	Query  string // raw query
	Body   string // decoded (gunzipped)
	Claims map[string]any
	// Audience is the token's aud claim: which resource it was for, so a
	// test can check Graph and ARM tokens never crossed.
	Audience string
	InBatch  bool
	Status   int
}

// Requests returns a copy of the request log.
func (t *Tenant) Requests() []Request {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Request(nil), t.log...)
}

// ResetLog empties the request log.
func (t *Tenant) ResetLog() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.log = nil
}

// CountRequests counts logged requests with the method whose path contains
// substr (batch items included).
func (t *Tenant) CountRequests(method, substr string) int {
	n := 0
	for _, r := range t.Requests() {
		if (method == "" || r.Method == method) && strings.Contains(r.Path, substr) {
			n++
		}
	}
	return n
}

type ctxKey int

const inBatchKey ctxKey = 1

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("cannot hijack")
	}
	return h.Hijack()
}

// middleware stamps the Date, decodes gzip bodies, applies latency and
// faults, and logs.
func (t *Tenant) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inBatch, _ := r.Context().Value(inBatchKey).(bool)
		// Every answer (batch items too) carries the tenant's own time, as
		// Entra and Graph do, so a client can notice that its clock is off.
		// net/http keeps a Date the handler set.
		w.Header().Set("Date", t.clock.Now().Format(http.TimeFormat))
		body, err := readBody(r)
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.Header.Del("Content-Encoding")

		t.mu.Lock()
		latency := t.sc.Latency.D()
		fault, faulted := t.takeFault(r.Method, r.URL.Path, inBatch)
		t.mu.Unlock()
		if inBatch {
			latency = 0 // the $batch request paid it once
		}
		if faulted {
			latency += fault.Latency.D() // per item inside $batch
		}
		if latency > 0 {
			time.Sleep(latency)
		}

		entry := Request{
			Time:    t.clock.Now(),
			Method:  r.Method,
			Path:    r.URL.Path,
			Query:   r.URL.RawQuery,
			Body:    string(body),
			Claims:  t.bearerClaims(r),
			InBatch: inBatch,
		}
		entry.Audience, _ = entry.Claims["aud"].(string)
		if strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token") {
			entry.Body = redactForm(entry.Body)
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		switch {
		case faulted && fault.Kind == FaultDropAfterWrite:
			// Process the request for real, then drop the connection
			// before the client sees the answer.
			next.ServeHTTP(&discardWriter{header: http.Header{}}, r)
			entry.Status = 0
			t.appendLog(entry)
			if fault.Hold > 0 {
				// Processed, and the answer is late: the client may give
				// up (an interrupt) while it waits.
				select {
				case <-time.After(fault.Hold.D()):
				case <-r.Context().Done():
				}
			}
			if inBatch {
				panic(http.ErrAbortHandler)
			}
			if h, ok := w.(http.Hijacker); ok {
				if conn, _, err := h.Hijack(); err == nil {
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		case faulted:
			writeFault(rec, fault, isARMPath(r.URL.Path))
		default:
			next.ServeHTTP(rec, r)
		}
		entry.Status = rec.status
		t.appendLog(entry)
	})
}

func (t *Tenant) appendLog(e Request) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.log = append(t.log, e)
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") && len(raw) > 0 {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(zr)
		_ = zr.Close() // ReadAll has already reported any decompression error
		return body, err
	}
	return raw, nil
}

type discardWriter struct {
	header http.Header
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
