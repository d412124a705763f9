package pim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
)

// ARM is pimento's entry to Azure Resource Manager: armauthorization v2
// clients and, where v2 lacks an option ($filter on policy assignments,
// permissions at a subscription or management group), requests sent
// through the same SDK pipeline. Never a hand-made HTTP client: the
// pipeline's bearer policy, its claims-challenge replay and its error
// type are the SDK's own.
type ARM struct {
	cred    azcore.TokenCredential
	base    string // the ARM endpoint, e.g. https://management.azure.com
	options arm.ClientOptions
}

// ARM API versions: 2020-10-01 is the only GA version of the PIM types,
// 2022-04-01 of permissions and role definitions (what v2.2.0 sends).
const (
	armPIMVersion  = "2020-10-01"
	armRBACVersion = "2022-04-01"
)

// armModule names pimento in the SDK's telemetry header.
const armModule = "pimento/arm"

// NewARMClient builds the entry to ARM at baseURL for tokens naming
// audience, from cred. transport carries the requests (TLS trust, the
// server clock, debug logging); timeout bounds each one (0: 60s).
func NewARMClient(cred azcore.TokenCredential, baseURL, audience string, transport http.RoundTripper, timeout time.Duration) (*ARM, error) {
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	if transport == nil {
		transport = http.DefaultTransport
	}
	base := strings.TrimRight(baseURL, "/")
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the Azure Resource Manager URL %q is not a URL", baseURL)
	}
	a := &ARM{cred: cred, base: base}
	a.options = arm.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Cloud: cloud.Configuration{Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: base, Audience: strings.TrimSuffix(audience, "/.default")},
			}},
			Transport: &http.Client{Transport: transport, Timeout: timeout},
			// Reads retry throttles and server errors a little; writes
			// never (noRetryARM), and nothing waits a minute.
			Retry: policy.RetryOptions{MaxRetries: 2, MaxRetryDelay: 10 * time.Second},
			// Before the bearer policy: a request for any other URL (a
			// nextLink pointing elsewhere, say) never gets an ARM token.
			PerCallPolicies: []policy.Policy{baseGuard{base: base}},
			Telemetry:       policy.TelemetryOptions{Disabled: true},
		},
		// PIM's types need no resource provider registration, and the
		// registration policy would send requests of its own.
		DisableRPRegistration: true,
	}
	// Fail now, not on the first call, if the configuration is refused.
	if _, err := arm.NewClient(armModule, "v1", cred, &a.options); err != nil {
		return nil, err
	}
	return a, nil
}

// Each operation gets its own SDK client: the SDK's bearer policy keeps
// the token it was given for the life of its client, and a fresh one picks
// up the token MSAL holds now (after a step-up, the stepped-up one).

func (a *ARM) requests() (*armauthorization.RoleAssignmentScheduleRequestsClient, error) {
	return armauthorization.NewRoleAssignmentScheduleRequestsClient(a.cred, &a.options)
}

func (a *ARM) eligibilities() (*armauthorization.RoleEligibilityScheduleInstancesClient, error) {
	return armauthorization.NewRoleEligibilityScheduleInstancesClient(a.cred, &a.options)
}

func (a *ARM) instances() (*armauthorization.RoleAssignmentScheduleInstancesClient, error) {
	return armauthorization.NewRoleAssignmentScheduleInstancesClient(a.cred, &a.options)
}

func (a *ARM) roleDefinitions() (*armauthorization.RoleDefinitionsClient, error) {
	return armauthorization.NewRoleDefinitionsClient(a.cred, &a.options)
}

// get sends GET {scope}/providers/Microsoft.Authorization/{path} with the
// query (api-version included) through an SDK pipeline, and decodes the
// answer into out. next, when set, is a nextLink to follow instead.
func (a *ARM) get(ctx context.Context, scope, path string, query url.Values, next string, out any) error {
	c, err := arm.NewClient(armModule, "v1", a.cred, &a.options)
	if err != nil {
		return err
	}
	target := next
	if target == "" {
		target = runtime.JoinPaths(a.base, scopePath(scope), "/providers/Microsoft.Authorization/", path) + "?" + strings.ReplaceAll(query.Encode(), "+", "%20")
	}
	req, err := runtime.NewRequest(ctx, http.MethodGet, target)
	if err != nil {
		return err
	}
	req.Raw().Header.Set("Accept", "application/json")
	resp, err := c.Pipeline().Do(req)
	if err != nil {
		return armError(err)
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return armError(runtime.NewResponseError(resp))
	}
	return runtime.UnmarshalAsJSON(resp, out)
}

// scopePath is a scope as the SDK's path templates take it: no leading
// slash ("" for the tenant root).
func scopePath(scope string) string { return strings.TrimPrefix(scope, "/") }

// noRetryARM switches the SDK's retries off for one call: a PUT is sent
// once, and a lost answer is read back by its name, never sent again.
func noRetryARM(ctx context.Context) context.Context {
	return policy.WithRetryOptions(ctx, policy.RetryOptions{MaxRetries: -1})
}

// baseGuard refuses requests for URLs outside the ARM base URL, before
// the bearer policy can authorize them.
type baseGuard struct{ base string }

func (g baseGuard) Do(req *policy.Request) (*http.Response, error) {
	u := req.Raw().URL
	target := u.Scheme + "://" + u.Host + u.Path
	if !strings.EqualFold(target, g.base) && !strings.HasPrefix(strings.ToLower(target), strings.ToLower(g.base)+"/") {
		return nil, fmt.Errorf("refused to send an Azure Resource Manager token to %s://%s: it is not %s", u.Scheme, u.Host, g.base)
	}
	return req.Next()
}

// armError turns the SDK's *azcore.ResponseError into a *GraphError (the
// service error every kind's lifecycle reads): ARM's CloudError code and
// message, the status and any Retry-After. Other errors (a dropped
// connection) pass unchanged.
func armError(err error) error {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return err
	}
	g := &GraphError{API: "Azure Resource Manager", Status: re.StatusCode, Code: re.ErrorCode}
	if re.RawResponse != nil {
		if body, rerr := runtime.Payload(re.RawResponse); rerr == nil {
			var ce struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if json.Unmarshal(body, &ce) == nil {
				g.Message = ce.Error.Message
				if g.Code == "" {
					g.Code = ce.Error.Code
				}
			}
		}
		date := re.RawResponse.Header.Get("Date")
		for _, v := range re.RawResponse.Header.Values("Retry-After") {
			if d, ok := parseRetryAfter(v, date); ok {
				g.RetryAfter = d
			}
		}
	}
	return g
}
