package pim

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/authentication"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

var registerErrors sync.Once

// NewGraphClient builds the Graph SDK client for graphURL (including /v1.0).
// The base URL is set before the client is made, so $batch items stay
// relative; transport may be nil (system roots). timeout bounds each
// request (0: 60s), so an unreachable Graph ends a command instead of
// hanging it.
func NewGraphClient(auth authentication.AuthenticationProvider, graphURL string, transport http.RoundTripper, timeout time.Duration) (*msgraphsdk.GraphServiceClient, error) {
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	registerErrors.Do(func() {
		// Without these, batch items and later pages fail as bare ApiErrors.
		m := abstractions.ErrorMappings{
			"4XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
			"5XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
		}
		// An error only means "already registered".
		_ = msgraphcore.RegisterError(msgraphcore.BatchRequestErrorRegistryKey, m)
		_ = msgraphcore.RegisterError(msgraphcore.PageIteratorErrorRegistryKey, m)
	})
	if transport == nil {
		transport = http.DefaultTransport
	}
	opts := msgraphsdk.GetDefaultClientOptions()
	mw := msgraphcore.GetDefaultMiddlewaresWithOptions(&opts)
	hc := &http.Client{Transport: statusTap{khttp.NewCustomTransportWithParentTransport(transport, mw...)}, Timeout: timeout}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, hc)
	if err != nil {
		return nil, err
	}
	adapter.SetBaseUrl(graphURL)
	return msgraphsdk.NewGraphServiceClient(adapter), nil
}

// noRetry switches the SDK's retry handler off for one request: an
// activation POST must never be sent twice blindly.
func noRetry() []abstractions.RequestOption {
	return []abstractions.RequestOption{&khttp.RetryHandlerOptions{
		ShouldRetry: func(time.Duration, int, *http.Request, *http.Response) bool { return false },
	}}
}

type statusKey struct{}

// withStatus makes the requests sent with ctx record the HTTP status of
// their answer. The SDK drops the status when it cannot read an error body
// (it returns a bare parse error), and the status decides whether an
// activation's outcome is certain.
func withStatus(ctx context.Context) (context.Context, *atomic.Int32) {
	st := &atomic.Int32{}
	return context.WithValue(ctx, statusKey{}, st), st
}

// statusTap records the answer's status for requests made withStatus.
type statusTap struct{ next http.RoundTripper }

func (s statusTap) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(r)
	if st, ok := r.Context().Value(statusKey{}).(*atomic.Int32); ok && resp != nil {
		st.Store(int32(resp.StatusCode))
	}
	return resp, err
}
