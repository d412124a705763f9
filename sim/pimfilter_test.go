package sim

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequestFilterGrammar(t *testing.T) {
	cases := []struct {
		kind    pimKind
		filter  string
		wantErr string // substring of the message; empty: accepted
	}{
		{kindRole, "", ""},
		{kindRole, "  ", ""},
		{kindRole, "status eq 'PendingApproval'", ""},
		{kindRole, "Status eq 'PendingApproval'", ""},
		{kindRole, "status ne 'Canceled' and principalId eq '" + DemoAdminUserID + "'", ""},
		{kindRole, "roleDefinitionId eq 'x' and targetScheduleId ne 'y' and id eq 'z'", ""},
		{kindRole, "directoryScopeId eq '/' and appScopeId eq null", ""},
		{kindRole, "directoryScopeId ne null", ""},
		{kindRole, "justification eq 'it''s me'", "'justification eq 'it''s me'': the property 'justification' cannot be filtered"},
		{kindRole, "status eq 'a' and createdDateTime ge 2025-01-01T00:00:00Z", "'createdDateTime ge 2025-01-01T00:00:00Z': the property 'createdDateTime'"},
		{kindRole, "status eq 'a' or status eq 'b'", "'or' is not supported"},
		{kindRole, "startswith(status,'Pend')", "functions and parentheses"},
		{kindRole, "(status eq 'a')", "functions and parentheses"},
		{kindRole, "not status eq 'a'", "'not' is not supported"},
		{kindRole, "status ge 'a'", "the operator 'ge' is not supported on status"},
		{kindRole, "status EQ 'a'", "the operator 'EQ'"},
		{kindRole, "status eq PendingApproval", "single-quoted string"},
		{kindRole, "status eq null", "status cannot be compared with null"},
		{kindRole, "status eq 'a' and", "an empty clause"},
		{kindRole, "status eq 'a' AND id eq 'b'", "expected <property> eq|ne '<value>'"},
		{kindRole, "status eq 'a", "not closed"},
		{kindRole, "groupId eq 'g'", "the property 'groupId'"},
		{kindGroup, "groupId eq 'g' and status eq 'Provisioned'", ""},
		{kindGroup, "targetScheduleId eq 't' and id ne 'i' and principalId eq 'p'", ""},
		{kindGroup, "accessId eq 'member'", "the property 'accessId'"},
		{kindGroup, "roleDefinitionId eq 'x'", "the property 'roleDefinitionId'"},
		{kindGroup, "directoryScopeId eq null", "the property 'directoryScopeId'"},
	}
	for _, c := range cases {
		_, aerr := parseRequestFilter(c.filter, c.kind)
		switch {
		case c.wantErr == "" && aerr != nil:
			t.Errorf("%q: %v", c.filter, aerr)
		case c.wantErr != "" && (aerr == nil || aerr.status != 400 || aerr.code != "BadRequest" || !strings.Contains(aerr.message, c.wantErr)):
			t.Errorf("%q: got %v, want %q", c.filter, aerr, c.wantErr)
		}
	}
}

func TestRequestFilterMatches(t *testing.T) {
	app := "/" + DemoAppObjectID
	dir := &scheduleRequest{ID: "r1", Eligibility: roleTarget(RoleUserAdministrator, "/"), Status: StatusProvisioned, TargetSchedule: "r1"}
	appScoped := &scheduleRequest{ID: "r2", Eligibility: Eligibility{UserID: DemoAdminUserID, RoleDefinitionID: RoleApplicationAdmin}, AppScopeID: &app, Status: StatusPendingApproval}
	quoted := &scheduleRequest{ID: "it's", Eligibility: roleTarget(RoleUserAdministrator, "/"), Status: StatusCanceled}
	all := []*scheduleRequest{dir, appScoped, quoted}
	cases := map[string][]string{
		"":                                    {"r1", "r2", "it's"},
		"status eq 'provisioned'":             {"r1"},
		"status ne 'Provisioned'":             {"r2", "it's"},
		"directoryScopeId eq null":            {"r2"},
		"directoryScopeId eq '/'":             {"r1", "it's"},
		"appScopeId eq null":                  {"r1", "it's"},
		"appScopeId ne null":                  {"r2"},
		"appScopeId ne '/other'":              {"r1", "r2", "it's"},
		"targetScheduleId eq 'R1'":            {"r1"},
		"id eq 'it''s'":                       {"it's"},
		"status ne 'Canceled' and id ne 'r1'": {"r2"},
		"roleDefinitionId eq '" + RoleUserAdministrator + "' and status eq 'Canceled'": {"it's"},
	}
	for filter, want := range cases {
		f, aerr := parseRequestFilter(filter, kindRole)
		if aerr != nil {
			t.Fatalf("%q: %v", filter, aerr)
		}
		var got []string
		for _, r := range all {
			if f.matches(r) {
				got = append(got, r.ID)
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%q matched %v, want %v", filter, got, want)
		}
	}
}

func TestQueryOptionsOnFilterByCurrentUser(t *testing.T) {
	for q, want := range map[string]string{
		"$filter=status eq 'x'&$select=id&$expand=roleDefinition&$skiptoken=2": "",
		"$orderby=createdDateTime desc":                                        "'$orderby' is not supported",
		"$top=5":                                                               "'$top' is not supported",
		"$skip=5":                                                              "'$skip' is not supported",
		"$count=true":                                                          "'$count' is not supported",
		"$search=x":                                                            "'$search' is not supported",
		"%24top=5":                                                             "'$top' is not supported",
	} {
		r := httptest.NewRequest("GET", "/x?"+strings.ReplaceAll(q, " ", "%20"), nil)
		aerr := checkQueryOptions(r, true)
		if (want == "") != (aerr == nil) || (aerr != nil && !strings.Contains(aerr.message, want)) {
			t.Errorf("%s: %v, want %q", q, aerr, want)
		}
	}
	r := httptest.NewRequest("GET", "/x?$filter=status%20eq%20'x'", nil)
	if aerr := checkQueryOptions(r, false); aerr == nil {
		t.Error("$filter on schedules should be refused")
	}
}
