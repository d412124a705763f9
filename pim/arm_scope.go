package pim

import (
	"strings"
)

// Azure scopes in words. ARM names the scope of every eligibility, active
// instance and request in expandedProperties ({id, displayName, type}), so
// the words cost no call: "sub: Contoso Prod", "rg: rg-secrets (Contoso
// Prod)", "mg: Tier0", "kv-prod (Key Vault) in rg-secrets".

// azureScope is an ARM scope id taken apart (AZ §1.2 "Scope forms").
type azureScope struct {
	kind    string // root | mg | sub | rg | resource
	sub, rg string // subscription id, resource group name
	name    string // the last segment: a resource's or group's name
	typ     string // a resource's type, e.g. Microsoft.KeyVault/vaults
}

// parseAzureScope reads the forms ARM returns; anything else is a
// resource named by its last segment (display only, never sent back).
func parseAzureScope(id string) azureScope {
	segs := strings.FieldsFunc(id, func(r rune) bool { return r == '/' })
	eq := strings.EqualFold
	switch {
	case len(segs) == 0:
		return azureScope{kind: "root"}
	case len(segs) == 4 && eq(segs[0], "providers") && eq(segs[1], "Microsoft.Management") && eq(segs[2], "managementGroups"):
		return azureScope{kind: "mg", name: segs[3]}
	case len(segs) >= 4 && eq(segs[0], "providers") && eq(segs[1], "Microsoft.Subscription") && eq(segs[2], "subscriptions"):
		segs = segs[2:]
	}
	if len(segs) < 2 || !eq(segs[0], "subscriptions") {
		return azureScope{kind: "resource", name: segs[len(segs)-1]}
	}
	s := azureScope{kind: "sub", sub: segs[1], name: segs[1]}
	if len(segs) >= 4 && eq(segs[2], "resourceGroups") {
		s.kind, s.rg, s.name = "rg", segs[3], segs[3]
	}
	if len(segs) >= 8 && eq(segs[4], "providers") {
		// providers/{namespace}/{type}/{name}[/{type}/{name}]…
		rest := segs[5:]
		types := []string{rest[0]}
		for i := 1; i+1 < len(rest); i += 2 {
			types = append(types, rest[i])
		}
		s.kind, s.name, s.typ = "resource", rest[len(rest)-1], strings.Join(types, "/")
	}
	return s
}

// subscriptionScope is the scope id of the subscription a scope lies in
// ("" for management groups and the root).
func subscriptionScope(id string) string {
	s := parseAzureScope(id)
	if s.sub == "" {
		return ""
	}
	return "/subscriptions/" + s.sub
}

// parentScopes lists the scopes above id that its id names, nearest first:
// a resource's group, a group's subscription. Management groups above a
// subscription are not in its id.
func parentScopes(id string) []string {
	s := parseAzureScope(id)
	var out []string
	if s.kind == "resource" && s.rg != "" {
		out = append(out, "/subscriptions/"+s.sub+"/resourceGroups/"+s.rg)
	}
	if s.kind == "resource" || s.kind == "rg" {
		out = append(out, "/subscriptions/"+s.sub)
	}
	return out
}

// azureScopeWords says where an Azure role applies. name is the scope's
// displayName from ARM ("" when not given); subName is the display name of
// its subscription, when known, for a resource group.
func azureScopeWords(id, name, subName string) string {
	s := parseAzureScope(id)
	if name == "" {
		name = s.name
	}
	switch s.kind {
	case "root":
		return "tenant root"
	case "mg":
		return "mg: " + name
	case "sub":
		return "sub: " + name
	case "rg":
		if subName == "" {
			subName = "subscription " + shortID(s.sub)
		}
		return "rg: " + name + " (" + subName + ")"
	}
	out := name + " (" + resourceTypeWords(s.typ) + ")"
	if s.rg != "" {
		out += " in " + s.rg
	}
	return out
}

// shortID is a GUID's first block, enough to tell subscriptions apart.
func shortID(id string) string {
	if i := strings.IndexByte(id, '-'); i > 0 {
		return id[:i]
	}
	return id
}

// resourceTypes names the resource types admins elevate on most; others
// show their type's last segment.
var resourceTypes = map[string]string{
	"microsoft.keyvault/vaults":                  "Key Vault",
	"microsoft.storage/storageaccounts":          "Storage account",
	"microsoft.compute/virtualmachines":          "Virtual machine",
	"microsoft.web/sites":                        "App Service",
	"microsoft.sql/servers":                      "SQL server",
	"microsoft.sql/servers/databases":            "SQL database",
	"microsoft.network/virtualnetworks":          "Virtual network",
	"microsoft.containerservice/managedclusters": "AKS cluster",
	"microsoft.containerregistry/registries":     "Container registry",
	"microsoft.documentdb/databaseaccounts":      "Cosmos DB account",
	"microsoft.operationalinsights/workspaces":   "Log Analytics workspace",
	"microsoft.automation/automationaccounts":    "Automation account",
	"microsoft.recoveryservices/vaults":          "Recovery Services vault",
}

func resourceTypeWords(typ string) string {
	if w, ok := resourceTypes[strings.ToLower(typ)]; ok {
		return w
	}
	if i := strings.LastIndexByte(typ, '/'); i >= 0 {
		return typ[i+1:]
	}
	if typ == "" {
		return "resource"
	}
	return typ
}

// azureRoleGUID is the role definition GUID at the end of a role
// definition id (or the id itself): ARM spells one role's id differently
// per scope (subscription-prefixed or not), the GUID never.
func azureRoleGUID(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	return strings.ToLower(id)
}

// azureScopeName is the scope's own name from its words: "Tier0" from
// "mg: Tier0", "rg-secrets" from "rg: rg-secrets (Contoso Prod)",
// "kv-prod" from "kv-prod (Key Vault) in rg-secrets".
func azureScopeName(words string) string {
	if _, rest, ok := strings.Cut(words, ": "); ok {
		words = rest
	}
	if i := strings.Index(words, " ("); i > 0 {
		words = words[:i]
	}
	return words
}
