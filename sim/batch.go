package sim

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// JSON batching (POST /v1.0/$batch) as Graph does it: at most 20 items,
// relative item URLs, each item answered with its own status, headers and
// body. Items run one after another through the full middleware, so
// faults marked InBatch can hit a single item and every item is logged.

const maxBatchRequests = 20

type batchItemRequest struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Body      json.RawMessage   `json:"body"`
	DependsOn []string          `json:"dependsOn"`
}

type batchItemResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty"`
}

// batchRecorder captures one item's response.
type batchRecorder struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (b *batchRecorder) Header() http.Header { return b.header }

func (b *batchRecorder) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *batchRecorder) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.buf.Write(p)
}

func (t *Tenant) serveBatch(c *graphCall) {
	var payload struct {
		Requests []batchItemRequest `json:"requests"`
	}
	if err := json.NewDecoder(c.r.Body).Decode(&payload); err != nil {
		writeError(c.w, http.StatusBadRequest, "BadRequest", "Invalid batch payload format.")
		return
	}
	if len(payload.Requests) == 0 {
		writeError(c.w, http.StatusBadRequest, "BadRequest", "Invalid batch payload format: the requests array is empty.")
		return
	}
	if len(payload.Requests) > maxBatchRequests {
		writeError(c.w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("The number of batch requests (%d) exceeds the limit of %d.", len(payload.Requests), maxBatchRequests))
		return
	}
	seen := map[string]bool{}
	for _, it := range payload.Requests {
		if it.ID == "" || it.Method == "" || it.URL == "" {
			writeError(c.w, http.StatusBadRequest, "BadRequest", "Invalid batch payload format: every request needs id, method and url.")
			return
		}
		if seen[it.ID] {
			writeError(c.w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid batch payload format: duplicate request id '%s'.", it.ID))
			return
		}
		seen[it.ID] = true
	}

	handler := t.middleware(t.mux)
	status := map[string]int{}
	aborted := false
	var out []batchItemResponse
	for _, it := range payload.Requests {
		resp, abort := t.runBatchItem(c, handler, it, status)
		aborted = aborted || abort
		status[it.ID] = resp.Status
		out = append(out, resp)
	}
	if aborted {
		// A drop-after-write fault hit an item: the items ran, but the
		// client never sees the batch answer.
		if h, ok := c.w.(http.Hijacker); ok {
			if conn, _, err := h.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"responses": out})
}

func itemError(id string, status int, code, msg string) batchItemResponse {
	return batchItemResponse{
		ID:      id,
		Status:  status,
		Headers: map[string]string{"Content-Type": "application/json"},
		Body:    map[string]any{"error": map[string]any{"code": code, "message": msg}},
	}
}

// runBatchItem executes one item; abort reports a dropped connection.
func (t *Tenant) runBatchItem(c *graphCall, handler http.Handler, it batchItemRequest, done map[string]int) (resp batchItemResponse, abort bool) {
	for _, dep := range it.DependsOn {
		st, ok := done[dep]
		if !ok || st >= 400 {
			return itemError(it.ID, http.StatusFailedDependency, "FailedDependency", fmt.Sprintf("The request depends on request '%s', which failed or was not run.", dep)), false
		}
	}
	u := strings.TrimSpace(it.URL)
	if strings.Contains(u, "://") || strings.HasPrefix(strings.ToLower(u), "http:") || strings.HasPrefix(strings.ToLower(u), "https:") {
		return itemError(it.ID, http.StatusBadRequest, "BadRequest", "Invalid request URI: batch request URLs must be relative to the version (e.g. /me)."), false
	}
	if !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	var body []byte
	if len(it.Body) > 0 && !bytes.Equal(bytes.TrimSpace(it.Body), []byte("null")) {
		body = it.Body
	}
	ctx := context.WithValue(c.r.Context(), inBatchKey, true)
	req, err := http.NewRequestWithContext(ctx, strings.ToUpper(it.Method), t.graphBase(c.r)+"/v1.0"+u, bytes.NewReader(body))
	if err != nil {
		return itemError(it.ID, http.StatusBadRequest, "BadRequest", "Invalid request URI: "+err.Error()), false
	}
	for k, v := range it.Headers {
		req.Header.Set(k, v)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", c.r.Header.Get("Authorization"))
	req.RemoteAddr = c.r.RemoteAddr
	req.RequestURI = req.URL.RequestURI()

	rec := &batchRecorder{header: http.Header{}}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					abort = true
					return
				}
				rec = &batchRecorder{header: http.Header{"Content-Type": {"application/json"}}, status: http.StatusInternalServerError}
				fmt.Fprintf(&rec.buf, `{"error":{"code":"InternalServerError","message":%q}}`, fmt.Sprint(p))
			}
		}()
		handler.ServeHTTP(rec, req)
	}()
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	resp = batchItemResponse{ID: it.ID, Status: rec.status, Headers: map[string]string{}}
	for k, vs := range rec.header {
		if len(vs) > 0 && vs[0] != "" {
			resp.Headers[k] = vs[0]
		}
	}
	if b := bytes.TrimSpace(rec.buf.Bytes()); len(b) > 0 {
		if json.Valid(b) {
			resp.Body = json.RawMessage(b)
		} else {
			// Graph base64-encodes bodies that are not JSON.
			resp.Body = base64.StdEncoding.EncodeToString(b)
		}
	}
	return resp, abort
}
