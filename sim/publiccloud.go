package sim

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The public-cloud mode: the simulator answers as login.microsoftonline.com,
// graph.microsoft.com and management.azure.com behind an HTTPS proxy, so a
// client on its real public-cloud code path (MSAL instance discovery and
// OpenID metadata included) can be measured and tested without Microsoft.
// Point it at the proxy with HTTPS_PROXY and trust the tenant's CA.

// Public-cloud host names the proxy answers for.
const (
	PublicAuthorityHost = "login.microsoftonline.com"
	PublicGraphHost     = "graph.microsoft.com"
	PublicARMHost       = "management.azure.com"
)

var publicHosts = map[string]bool{PublicAuthorityHost: true, PublicGraphHost: true, PublicARMHost: true}

// baseFor is the scheme and host the answer to r points at: the public
// host it was asked as, through the proxy, else the simulator's own.
func (t *Tenant) baseFor(r *http.Request) string {
	if r != nil && publicHosts[hostOnly(r.Host)] {
		return "https://" + hostOnly(r.Host)
	}
	return t.base
}

func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

// handleInstanceDiscovery answers MSAL's instance discovery as Entra does
// for the public cloud (the aliases MSAL keys its cache by).
func (t *Tenant) handleInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	host := hostOnly(r.Host)
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": "https://" + host + "/" + t.sc.TenantID + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []any{map[string]any{
			"preferred_network": PublicAuthorityHost,
			"preferred_cache":   "login.windows.net",
			"aliases":           []string{PublicAuthorityHost, "login.windows.net", "login.microsoft.com", "sts.windows.net"},
		}},
	})
}

// StartProxy serves an HTTP CONNECT proxy on addr that terminates TLS for
// the public-cloud hosts with certificates from the tenant's CA and serves
// them with the simulator itself. It returns the proxy's URL.
func (t *Tenant) StartProxy(addr string) (string, error) {
	if t.server == nil {
		return "", errors.New("sim: Start the tenant before its proxy")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", addr, err)
	}
	certs := &certCache{ca: t.ca, byName: map[string]*tls.Certificate{}}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.get}
	conns := &chanListener{ch: make(chan net.Conn), addr: ln.Addr(), done: make(chan struct{})}
	srv := &http.Server{
		Handler: t.server.Handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nopLogger(),
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	go func() { _ = srv.Serve(conns) }()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				conns.close()
				return
			}
			go t.connect(c, tlsCfg, conns)
		}
	}()
	proxy := &url.URL{Scheme: "http", Host: ln.Addr().String()}
	t.mu.Lock()
	t.closers = append(t.closers, func() { _ = ln.Close(); _ = srv.Close() })
	t.proxyURL = proxy
	t.mu.Unlock()
	return proxy.String(), nil
}

// connect answers one CONNECT to a public host and hands the TLS
// connection to the simulator's server.
func (t *Tenant) connect(c net.Conn, cfg *tls.Config, out *chanListener) {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil || req.Method != http.MethodConnect || !publicHosts[hostOnly(req.Host)] {
		_, _ = fmt.Fprint(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
		_ = c.Close()
		return
	}
	if _, err := fmt.Fprint(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		_ = c.Close()
		return
	}
	_ = c.SetDeadline(time.Time{})
	out.push(tls.Server(c, cfg))
}

type certCache struct {
	ca     *certAuthority
	mu     sync.Mutex
	byName map[string]*tls.Certificate
}

func (c *certCache) get(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	name := strings.ToLower(hello.ServerName)
	if !publicHosts[name] {
		return nil, fmt.Errorf("sim proxy: no certificate for %q", name)
	}
	if cert, ok := c.byName[name]; ok {
		return cert, nil
	}
	cert, err := c.ca.certFor(name)
	if err != nil {
		return nil, err
	}
	c.byName[name] = &cert
	return &cert, nil
}

// chanListener is a net.Listener fed by the proxy.
type chanListener struct {
	ch   chan net.Conn
	addr net.Addr
	once sync.Once
	done chan struct{}
}

func (l *chanListener) push(c net.Conn) {
	select {
	case l.ch <- c:
	case <-l.done:
		_ = c.Close()
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) close() { l.once.Do(func() { close(l.done) }) }

func (l *chanListener) Close() error { l.close(); return nil }

func (l *chanListener) Addr() net.Addr { return l.addr }
