package auth

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// DefaultClientID is Microsoft Graph Command Line Tools: a multi-tenant
// public client that works without an app registration of your own.
const DefaultClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

// Cloud names an Entra / Microsoft Graph / Azure Resource Manager deployment.
type Cloud struct {
	Name          string
	AuthorityHost string
	GraphURL      string // including /v1.0
	// ARMURL is Azure Resource Manager's endpoint and ARMResource the
	// audience its tokens name (azcore's cloud configuration; US Gov DoD
	// shares Azure Government's ARM).
	ARMURL      string
	ARMResource string
}

// Clouds pimento knows, by the name --cloud takes.
var Clouds = map[string]Cloud{
	"global": {
		Name: "global", AuthorityHost: "login.microsoftonline.com", GraphURL: "https://graph.microsoft.com/v1.0",
		ARMURL: "https://management.azure.com", ARMResource: "https://management.core.windows.net/",
	},
	"usgov": {
		Name: "usgov", AuthorityHost: "login.microsoftonline.us", GraphURL: "https://graph.microsoft.us/v1.0",
		ARMURL: "https://management.usgovcloudapi.net", ARMResource: "https://management.core.usgovcloudapi.net",
	},
	"usgovdod": {
		Name: "usgovdod", AuthorityHost: "login.microsoftonline.us", GraphURL: "https://dod-graph.microsoft.us/v1.0",
		ARMURL: "https://management.usgovcloudapi.net", ARMResource: "https://management.core.usgovcloudapi.net",
	},
	"china": {
		Name: "china", AuthorityHost: "login.chinacloudapi.cn", GraphURL: "https://microsoftgraph.chinacloudapi.cn/v1.0",
		ARMURL: "https://management.chinacloudapi.cn", ARMResource: "https://management.core.chinacloudapi.cn",
	},
}

// CloudNames lists the valid --cloud values.
func CloudNames() []string {
	names := make([]string, 0, len(Clouds))
	for n := range Clouds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DelegatedScopes are the Graph permissions pimento asks for (short names).
var DelegatedScopes = []string{
	"User.Read",
	"RoleEligibilitySchedule.Read.Directory",
	"RoleAssignmentSchedule.ReadWrite.Directory",
	"RoleManagementPolicy.Read.Directory",
	"PrivilegedEligibilitySchedule.Read.AzureADGroup",
	"PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
	"RoleManagementPolicy.Read.AzureADGroup",
	"AdministrativeUnit.Read.All",
}

// Endpoints is where pimento signs in and which Graph and Azure Resource
// Manager it talks to.
type Endpoints struct {
	Cloud     string // cloud name, or "custom"
	Authority string // https://host/{tenant}
	GraphURL  string // https://host/v1.0
	Resource  string // scheme://host that scopes are named for
	// ARMURL is Azure Resource Manager's base URL, under which scopes
	// start; ARMResource is the audience of its tokens, exactly as the
	// cloud spells it (the global one ends in a slash).
	ARMURL      string
	ARMResource string
	// Custom is set for PIMENTO_AUTHORITY: MSAL's instance discovery is off.
	Custom bool
}

// ARMScopes is what pimento asks for to call Azure Resource Manager: the
// audience's .default, which is also what azcore asks for, so both name
// one token in MSAL's cache.
func (e Endpoints) ARMScopes() []string { return []string{e.ARMResource + "/.default"} }

// Scopes are the delegated scopes named for the Graph resource.
func (e Endpoints) Scopes() []string {
	out := make([]string, len(DelegatedScopes))
	for i, s := range DelegatedScopes {
		out[i] = e.Resource + "/" + s
	}
	return out
}

// AllowedHosts are the hosts the Graph SDK may send tokens to.
func (e Endpoints) AllowedHosts() []string {
	u, err := url.Parse(e.GraphURL)
	if err != nil {
		return nil
	}
	return []string{u.Hostname()}
}

// ResolveEndpoints picks the endpoints from the cloud name and tenant, with
// PIMENTO_AUTHORITY, PIMENTO_GRAPH_URL, PIMENTO_GRAPH_RESOURCE,
// PIMENTO_ARM_URL and PIMENTO_ARM_RESOURCE (read through getenv)
// overriding them for private endpoints and test tenants.
func ResolveEndpoints(cloud, tenant string, getenv func(string) string) (Endpoints, error) {
	if cloud == "" {
		cloud = "global"
	}
	c, ok := Clouds[cloud]
	if !ok {
		return Endpoints{}, fmt.Errorf("unknown cloud %q: use one of %s", cloud, strings.Join(CloudNames(), ", "))
	}
	if tenant == "" {
		tenant = "organizations"
	}
	e := Endpoints{Cloud: c.Name, Authority: "https://" + c.AuthorityHost + "/" + tenant, GraphURL: c.GraphURL, ARMURL: c.ARMURL, ARMResource: c.ARMResource}
	if a := getenv("PIMENTO_AUTHORITY"); a != "" {
		u, err := url.Parse(a)
		if err != nil || u.Scheme != "https" || u.Host == "" || strings.Trim(u.Path, "/") == "" {
			return Endpoints{}, fmt.Errorf("PIMENTO_AUTHORITY must be an https URL with a tenant, like https://login.microsoftonline.com/contoso.onmicrosoft.com (got %q)", a)
		}
		e.Authority = strings.TrimRight(a, "/")
		e.Custom = true
		e.Cloud = "custom"
	}
	if g := getenv("PIMENTO_GRAPH_URL"); g != "" {
		if err := checkBaseURL("PIMENTO_GRAPH_URL", g, "https://graph.microsoft.com/v1.0"); err != nil {
			return Endpoints{}, err
		}
		e.GraphURL = strings.TrimRight(g, "/")
		e.Cloud = "custom"
	}
	if a := getenv("PIMENTO_ARM_URL"); a != "" {
		if err := checkBaseURL("PIMENTO_ARM_URL", a, "https://management.azure.com"); err != nil {
			return Endpoints{}, err
		}
		// The audience stays the cloud's: a private ARM endpoint still
		// takes ARM's tokens (PIMENTO_ARM_RESOURCE says otherwise).
		e.ARMURL = strings.TrimRight(a, "/")
		e.Cloud = "custom"
	}
	if r := getenv("PIMENTO_ARM_RESOURCE"); r != "" {
		if u, err := url.Parse(r); err != nil || u.Scheme != "https" || u.Host == "" {
			return Endpoints{}, fmt.Errorf("PIMENTO_ARM_RESOURCE must be the audience of ARM tokens, like https://management.core.windows.net/ (got %q)", r)
		}
		e.ARMResource = r
	}
	u, _ := url.Parse(e.GraphURL)
	e.Resource = u.Scheme + "://" + u.Host
	if r := getenv("PIMENTO_GRAPH_RESOURCE"); r != "" {
		e.Resource = strings.TrimRight(r, "/")
	}
	return e, nil
}

// checkBaseURL refuses a base URL that is not one, or that would carry
// tokens in clear text anywhere but to loopback.
func checkBaseURL(name, v, example string) error {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%s must be a URL like %s (got %q)", name, example, v)
	}
	if u.Scheme == "http" && u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1" {
		return fmt.Errorf("%s must use https: tokens are never sent in clear text (got %q)", name, v)
	}
	return nil
}
