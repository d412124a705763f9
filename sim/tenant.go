// Package sim is a simulated Entra ID tenant and Microsoft Graph: an OAuth 2
// authority that the real MSAL Go client signs in to, and the Graph v1.0 PIM
// endpoints that the real msgraph-sdk-go talks to, over HTTPS on loopback.
// It exists so pimento can be tried, demonstrated and tested with no tenant.
package sim

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Tenant is a running simulated tenant. All methods are safe for concurrent use.
type Tenant struct {
	mu    sync.Mutex
	sc    Scenario
	clock *Clock

	ca       *certAuthority
	listener net.Listener
	server   *http.Server
	base     string // https://127.0.0.1:PORT
	mux      *http.ServeMux
	closers  []func() // the proxy, when started
	proxyURL *url.URL
	secret   []byte // HMAC key for tokens

	log    []Request
	faults []*armedFault // every fault armed, fired or not

	// authority state
	codes       map[string]*authCode
	deviceCodes map[string]*deviceCode
	refresh     map[string]*refreshGrant

	browserUser       string
	interactionDenied bool

	// graph state
	pim    *pimState
	nextID int
}

// Option configures a Tenant.
type Option func(*Tenant)

// New builds a tenant from a scenario. Call Start to serve it.
func New(sc Scenario, opts ...Option) (*Tenant, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	if sc.PageSize <= 0 {
		sc.PageSize = 100
	}
	if sc.TokenLifetime <= 0 {
		sc.TokenLifetime = Duration(75 * time.Minute)
	}
	if sc.SignInUser == "" {
		sc.SignInUser = sc.Users[0].UserPrincipalName
	}
	ca, err := newCertAuthority()
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	t := &Tenant{
		sc:          sc,
		clock:       &Clock{},
		ca:          ca,
		secret:      secret,
		codes:       map[string]*authCode{},
		deviceCodes: map[string]*deviceCode{},
		refresh:     map[string]*refreshGrant{},
	}
	for _, o := range opts {
		o(t)
	}
	for _, f := range sc.Faults {
		t.armFault(f)
	}
	t.pim = newPIMState(sc, newGUID)
	now := t.clock.Now()
	for _, a := range sc.Active {
		start := now.Add(-a.StartedAgo.D())
		t.pim.assignments = append(t.pim.assignments, &assignment{
			ID:          t.newID("asg"),
			Eligibility: canonicalTarget(a.Eligibility),
			Start:       start,
			End:         now.Add(a.Remaining.D()),
			ListedAt:    start,
			Activated:   !a.Assigned,
			Created:     start,
		})
	}
	if err := t.pim.seedPending(sc.Pending, now); err != nil {
		return nil, err
	}
	t.mux = http.NewServeMux()
	t.routeAuthority()
	t.routeGraph()
	return t, nil
}

// publicARM puts the /arm prefix on paths asked of management.azure.com
// through the proxy (which has none) before next sees them, so the
// middleware matches faults, picks the error shape and logs paths the
// same in both modes.
func publicARM(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hostOnly(r.Host) == PublicARMHost && !isARMPath(r.URL.Path) {
			r.URL.Path = armPrefix + r.URL.Path
			r.URL.RawPath = ""
		}
		next.ServeHTTP(w, r)
	})
}

// route sends ARM paths to the ARM handler and everything else to the mux.
// ARM paths skip the mux because it would redirect the "//providers" an
// empty scope can produce (AZ §1.2, §1.4) instead of serving it.
func (t *Tenant) route(w http.ResponseWriter, r *http.Request) {
	if isARMPath(r.URL.Path) {
		t.serveARM(w, r)
		return
	}
	t.mux.ServeHTTP(w, r)
}

// Start serves the tenant on addr (e.g. "127.0.0.1:0" for a free port).
func (t *Tenant) Start(addr string) error {
	cert, err := t.ca.serverCert()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	t.listener = ln
	t.base = "https://" + ln.Addr().String()
	t.server = &http.Server{
		Handler:           publicARM(t.middleware(http.HandlerFunc(t.route))),
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		// HTTP/1.1 only, so a fault can hijack and drop the connection.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ErrorLog:     nopLogger(),
	}
	go func() { _ = t.server.ServeTLS(ln, "", "") }()
	return nil
}

// Close stops serving (and the proxy).
func (t *Tenant) Close() error {
	t.mu.Lock()
	closers := t.closers
	t.closers = nil
	t.mu.Unlock()
	for _, c := range closers {
		c()
	}
	if t.server == nil {
		return nil
	}
	// A client may keep a connection it has not finished with (a test
	// that stopped reading, the Azure SDK's pool): wait briefly for the
	// graceful way, then close what is left.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := t.server.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
		return t.server.Close()
	} else if err != nil {
		return err
	}
	return nil
}

// BaseURL is https://127.0.0.1:PORT.
func (t *Tenant) BaseURL() string { return t.base }

// AuthorityURL is the authority MSAL is given: https://127.0.0.1:PORT/{tenantId}.
func (t *Tenant) AuthorityURL() string { return t.base + "/" + t.sc.TenantID }

// GraphURL is the Graph base URL including /v1.0.
func (t *Tenant) GraphURL() string { return t.base + "/v1.0" }

// ARMURL is the Azure Resource Manager base URL (https://127.0.0.1:PORT/arm):
// a client's ARM endpoint, under which scopes start
// (…/arm/subscriptions/{id}/providers/Microsoft.Authorization/…).
func (t *Tenant) ARMURL() string { return t.base + armPrefix }

// TenantID is the scenario's tenant id.
func (t *Tenant) TenantID() string { return t.sc.TenantID }

// CAPEM is the PEM of the CA that signed the server certificate.
func (t *Tenant) CAPEM() []byte { return t.ca.pem }

// WriteCA writes the CA PEM into dir and returns the file's path.
func (t *Tenant) WriteCA(dir string) (string, error) {
	p := filepath.Join(dir, "pimento-sim-ca.pem")
	return p, os.WriteFile(p, t.ca.pem, 0o644)
}

// CertPool is a pool holding only the tenant's CA.
func (t *Tenant) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(t.ca.pem)
	return p
}

// HTTPClient returns a client that trusts the tenant's CA.
func (t *Tenant) HTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: t.CertPool(), MinVersion: tls.VersionTLS12}
	// Once the public-cloud proxy runs, the public hosts are reached
	// through it (and only they).
	tr.Proxy = func(r *http.Request) (*url.URL, error) {
		t.mu.Lock()
		proxy := t.proxyURL
		t.mu.Unlock()
		if proxy == nil || !publicHosts[r.URL.Hostname()] {
			return nil, nil
		}
		return proxy, nil
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// Clock is the tenant's clock.
func (t *Tenant) Clock() *Clock { return t.clock }

// Now is the tenant's current time.
func (t *Tenant) Now() time.Time { return t.clock.Now() }

// Scenario returns a copy of the scenario the tenant was built from.
func (t *Tenant) Scenario() Scenario {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sc
}

// SetLatency changes the latency added to every request.
func (t *Tenant) SetLatency(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sc.Latency = Duration(d)
}

// SetStepUpNeedsInteraction switches whether silent step-up fails.
func (t *Tenant) SetStepUpNeedsInteraction(v bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sc.StepUpNeedsInteraction = v
}

func (t *Tenant) newID(prefix string) string {
	t.nextID++
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%04d-%s", prefix, t.nextID, hex.EncodeToString(b))
}

func nopLogger() *log.Logger { return log.New(io.Discard, "", 0) }
