package auth

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pimento-cli/pimento/internal/state"
)

// MetadataTTL is how long the identity provider's metadata is kept.
const MetadataTTL = 24 * time.Hour

// MetadataCache answers the identity provider's metadata requests (instance
// discovery and the OpenID configuration) from a file, so that a command
// whose access token is cached makes no round trip to the identity
// provider at all, and a refresh costs only the token request.
//
// Why a cache rather than WithInstanceDiscovery(false) for the known
// clouds: MSAL Go asks for instance discovery on every cache read of a
// fresh process, and with discovery off it would key tokens by the
// authority's host instead of the cloud's preferred cache alias
// (login.windows.net for the public cloud), so every existing sign-in
// would be missed once, and aliases (login.microsoft.com, sts.windows.net)
// would stop matching. The metadata is public and stable: serving MSAL
// yesterday's answer changes nothing but the wait.
type MetadataCache struct {
	next  http.RoundTripper
	cache *state.Cache
}

type metadataEntry struct {
	ContentType string `json:"contentType"`
	Body        []byte `json:"body"`
}

// NewMetadataCache keeps the metadata in dir (the profile's cache
// directory; "" keeps it for this process only) in front of next.
func NewMetadataCache(dir string, next http.RoundTripper, now func() time.Time) *MetadataCache {
	if next == nil {
		next = http.DefaultTransport
	}
	if now == nil {
		now = time.Now
	}
	return &MetadataCache{next: next, cache: state.OpenCache(dir, "authority.json", now)}
}

func isMetadata(r *http.Request) bool {
	p := r.URL.Path
	return r.Method == http.MethodGet && (strings.HasSuffix(p, "/discovery/instance") || strings.HasSuffix(p, "/.well-known/openid-configuration"))
}

// RoundTrip serves metadata from the file when it is fresh, and stores
// what the identity provider answers.
func (m *MetadataCache) RoundTrip(r *http.Request) (*http.Response, error) {
	if !isMetadata(r) {
		return m.next.RoundTrip(r)
	}
	key := r.URL.String()
	var e metadataEntry
	if m.cache.Get(key, MetadataTTL, &e) {
		return &http.Response{
			Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:        http.Header{"Content-Type": []string{e.ContentType}},
			Body:          io.NopCloser(bytes.NewReader(e.Body)),
			ContentLength: int64(len(e.Body)), Request: r,
		}, nil
	}
	resp, err := m.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	m.cache.Put(key, metadataEntry{ContentType: resp.Header.Get("Content-Type"), Body: body})
	_ = m.cache.Save() // a cache that cannot be written only costs a round trip
	return resp, nil
}
