package pim

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/authentication"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	formser "github.com/microsoft/kiota-serialization-form-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	multipartser "github.com/microsoft/kiota-serialization-multipart-go"
	textser "github.com/microsoft/kiota-serialization-text-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/directory"
	"github.com/microsoftgraph/msgraph-sdk-go/directoryobjects"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

var registerErrors sync.Once

// NewGraphClient builds the Graph SDK client for graphURL (including /v1.0).
// The base URL is set before the client is made, so $batch items stay
// relative; transport may be nil (system roots). timeout bounds each
// request (0: 60s), so an unreachable Graph ends a command instead of
// hanging it.
func NewGraphClient(auth authentication.AuthenticationProvider, graphURL string, transport http.RoundTripper, timeout time.Duration) (*Graph, error) {
	adapter, err := NewGraphAdapter(auth, graphURL, transport, timeout)
	if err != nil {
		return nil, err
	}
	return &Graph{adapter: adapter}, nil
}

// NewGraphAdapter is the request adapter NewGraphClient builds on: the
// SDK's middleware, serializers and error mappings, base URL set.
func NewGraphAdapter(auth authentication.AuthenticationProvider, graphURL string, transport http.RoundTripper, timeout time.Duration) (abstractions.RequestAdapter, error) {
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
	registerSerializers.Do(func() {
		// What msgraphsdk.NewGraphServiceClient would register; the batch
		// decoding of msgraph-sdk-go-core reads the same registry.
		abstractions.RegisterDefaultSerializer(func() absser.SerializationWriterFactory { return jsonser.NewJsonSerializationWriterFactory() })
		abstractions.RegisterDefaultSerializer(func() absser.SerializationWriterFactory { return textser.NewTextSerializationWriterFactory() })
		abstractions.RegisterDefaultSerializer(func() absser.SerializationWriterFactory { return formser.NewFormSerializationWriterFactory() })
		abstractions.RegisterDefaultSerializer(func() absser.SerializationWriterFactory {
			return multipartser.NewMultipartSerializationWriterFactory()
		})
		abstractions.RegisterDefaultDeserializer(func() absser.ParseNodeFactory { return jsonser.NewJsonParseNodeFactory() })
		abstractions.RegisterDefaultDeserializer(func() absser.ParseNodeFactory { return textser.NewTextParseNodeFactory() })
		abstractions.RegisterDefaultDeserializer(func() absser.ParseNodeFactory { return formser.NewFormParseNodeFactory() })
	})
	opts := msgraphcore.GraphClientOptions{GraphServiceVersion: "v1.0", GraphServiceLibraryVersion: graphSDKVersion}
	mw := msgraphcore.GetDefaultMiddlewaresWithOptions(&opts)
	hc := &http.Client{Transport: statusTap{khttp.NewCustomTransportWithParentTransport(transport, mw...)}, Timeout: timeout}
	adapter, err := msgraphcore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, opts, nil, nil, hc)
	if err != nil {
		return nil, err
	}
	adapter.SetBaseUrl(graphURL)
	return adapter, nil
}

// graphSDKVersion is the msgraph-sdk-go version in go.mod, for the SDK's
// telemetry header.
const graphSDKVersion = "1.89.0"

var registerSerializers sync.Once

// Graph is pimento's entry to msgraph-sdk-go: the request builders of the
// SDK, built with its own constructors from the few roots pimento uses.
//
// It stands in for Graph on purpose: that root
// type reaches every request builder of Graph (85 packages). Importing it
// doubles the cold compile, and once anything in the binary looks methods
// up by reflection (text/template does), the linker must keep them all:
// 122 MB instead of 35 MB. The navigation methods are unexported so that
// reflection can never reach them either.
type Graph struct{ adapter abstractions.RequestAdapter }

// GetAdapter is the request adapter every builder sends through.
func (g *Graph) GetAdapter() abstractions.RequestAdapter { return g.adapter }

func (g *Graph) params() map[string]string {
	return map[string]string{"baseurl": g.adapter.GetBaseUrl()}
}

// me is /me (the SDK's core middleware turns the token into "me").
func (g *Graph) me() *users.UserItemRequestBuilder {
	p := g.params()
	p["user%2Did"] = "me-token-to-replace"
	return users.NewUserItemRequestBuilderInternal(p, g.adapter)
}

func (g *Graph) roleManagement() *rolemanagement.RoleManagementRequestBuilder {
	return rolemanagement.NewRoleManagementRequestBuilderInternal(g.params(), g.adapter)
}

func (g *Graph) identityGovernance() *identitygovernance.IdentityGovernanceRequestBuilder {
	return identitygovernance.NewIdentityGovernanceRequestBuilderInternal(g.params(), g.adapter)
}

func (g *Graph) policies() *policies.PoliciesRequestBuilder {
	return policies.NewPoliciesRequestBuilderInternal(g.params(), g.adapter)
}

func (g *Graph) directory() *directory.DirectoryRequestBuilder {
	return directory.NewDirectoryRequestBuilderInternal(g.params(), g.adapter)
}

func (g *Graph) directoryObjects() *directoryobjects.DirectoryObjectsRequestBuilder {
	return directoryobjects.NewDirectoryObjectsRequestBuilderInternal(g.params(), g.adapter)
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
