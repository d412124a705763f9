package sim

import (
	"fmt"
	"net/http"
	"strings"
)

// /me, directory objects, groups and role definitions: what a client
// reads to name the targets it lists.

func (t *Tenant) serveMe(c *graphCall) {
	t.mu.Lock()
	u, ok := t.sc.userByID(c.userID)
	t.mu.Unlock()
	if !ok {
		writeError(c.w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", c.userID))
		return
	}
	obj := userJSON(u)
	if sel := c.r.URL.Query().Get("$select"); sel != "" {
		keep := map[string]bool{}
		for _, f := range strings.Split(sel, ",") {
			keep[strings.ToLower(strings.TrimSpace(f))] = true
		}
		for k := range obj {
			if !keep[strings.ToLower(k)] {
				delete(obj, k)
			}
		}
	}
	obj["@odata.context"] = t.graphBase(c.r) + "/v1.0/$metadata#users/$entity"
	writeJSON(c.w, http.StatusOK, obj)
}

func userJSON(u User) map[string]any {
	lic := []any{}
	for _, sku := range u.AssignedLicenses {
		lic = append(lic, map[string]any{"skuId": sku, "disabledPlans": []string{}})
	}
	other := u.OtherMails
	if other == nil {
		other = []string{}
	}
	return map[string]any{
		"id":                    u.ID,
		"userPrincipalName":     u.UserPrincipalName,
		"displayName":           u.DisplayName,
		"mail":                  nullIfEmpty(u.Mail),
		"otherMails":            other,
		"onPremisesSyncEnabled": u.OnPremisesSyncEnabled,
		"assignedLicenses":      lic,
		"businessPhones":        []string{},
		"givenName":             nil,
		"surname":               nil,
		"jobTitle":              nil,
		"mobilePhone":           nil,
		"officeLocation":        nil,
		"preferredLanguage":     nil,
	}
}

// directoryObject returns the directory object with id as Graph JSON
// (with @odata.type). Caller holds t.mu.
func (t *Tenant) directoryObject(id string) (map[string]any, bool) {
	for _, a := range t.sc.Apps {
		if strings.EqualFold(a.ID, id) {
			return map[string]any{"@odata.type": "#microsoft.graph.application", "id": a.ID, "displayName": a.DisplayName, "appId": stableGUID("appId", a.ID)}, true
		}
	}
	for _, au := range t.sc.AdministrativeUnits {
		if strings.EqualFold(au.ID, id) {
			return map[string]any{"@odata.type": "#microsoft.graph.administrativeUnit", "id": au.ID, "displayName": au.DisplayName, "description": nil, "visibility": nil}, true
		}
	}
	for _, g := range t.sc.Groups {
		if strings.EqualFold(g.ID, id) {
			o := groupJSON(g)
			o["@odata.type"] = "#microsoft.graph.group"
			return o, true
		}
	}
	for _, u := range t.sc.Users {
		if strings.EqualFold(u.ID, id) {
			o := userJSON(u)
			o["@odata.type"] = "#microsoft.graph.user"
			return o, true
		}
	}
	return nil, false
}

// scopeObject resolves a directoryScopeId ("/administrativeUnits/{id}" or
// "/{objectId}") to its object, for $expand=directoryScope. Caller holds t.mu.
func (t *Tenant) scopeObject(scope string) any {
	id := strings.TrimPrefix(scope, "/")
	if id == "" {
		return nil
	}
	if rest, ok := cutPrefixFold(id, "administrativeUnits/"); ok {
		id = rest
	}
	if o, ok := t.directoryObject(id); ok {
		return o
	}
	return nil
}

func groupJSON(g Group) map[string]any {
	return map[string]any{
		"id":                 g.ID,
		"displayName":        g.DisplayName,
		"description":        nil,
		"securityEnabled":    true,
		"mailEnabled":        false,
		"isAssignableToRole": true,
		"groupTypes":         []string{},
	}
}

func notFound(c *graphCall, id string) {
	writeError(c.w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
}

func (t *Tenant) serveAdministrativeUnit(c *graphCall, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, au := range t.sc.AdministrativeUnits {
		if strings.EqualFold(au.ID, id) {
			writeJSON(c.w, http.StatusOK, map[string]any{
				"@odata.context": t.graphBase(c.r) + "/v1.0/$metadata#directory/administrativeUnits/$entity",
				"id":             au.ID, "displayName": au.DisplayName, "description": nil, "visibility": nil,
			})
			return
		}
	}
	notFound(c, id)
}

func (t *Tenant) serveDirectoryObject(c *graphCall, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	o, ok := t.directoryObject(id)
	if !ok {
		notFound(c, id)
		return
	}
	o["@odata.context"] = t.graphBase(c.r) + "/v1.0/$metadata#directoryObjects/$entity"
	writeJSON(c.w, http.StatusOK, o)
}

func (t *Tenant) serveGroup(c *graphCall, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, g := range t.sc.Groups {
		if strings.EqualFold(g.ID, id) {
			o := groupJSON(g)
			o["@odata.context"] = t.graphBase(c.r) + "/v1.0/$metadata#groups/$entity"
			writeJSON(c.w, http.StatusOK, o)
			return
		}
	}
	notFound(c, id)
}

func (t *Tenant) serveRoleDefinition(c *graphCall, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, rd := range t.sc.Roles {
		if strings.EqualFold(rd.ID, id) || strings.EqualFold(rd.TemplateID, id) {
			o := roleDefinitionJSON(rd)
			o["@odata.context"] = t.graphBase(c.r) + "/v1.0/$metadata#roleManagement/directory/roleDefinitions/$entity"
			writeJSON(c.w, http.StatusOK, o)
			return
		}
	}
	notFound(c, id)
}
