package cli

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pimento-cli/pimento/sim"
)

// The approvals JSON is a contract: exactly these fields, these values.
func TestApprovalsJSONContract(t *testing.T) {
	c := newCLI(t)
	c.login()
	c.tn.ResetLog()
	out, errOut, code := c.run("approvals", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The JSON has no stage, so none is read.
	for _, r := range c.tn.Requests() {
		if strings.Contains(strings.ToLower(r.Path), "approvals/") {
			t.Errorf("approvals --json read a stage: %s %s", r.Method, r.Path)
		}
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(list) != 3 {
		t.Fatalf("%d requests, want Megan's 3: %s", len(list), out)
	}
	want := []string{"createdDateTime", "duration", "expiresDateTime", "id", "justification", "kind", "name", "requester", "requesterUpn", "scope", "startDateTime", "ticketNumber", "ticketSystem"}
	byID := map[string]map[string]any{}
	for _, item := range list {
		var keys []string
		for k := range item {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != strings.Join(want, ",") {
			t.Errorf("fields %v, want exactly %v", keys, want)
		}
		if item["requester"] != "Megan Bowen" || item["requesterUpn"] != sim.DemoApproverUPN {
			t.Errorf("requester %v %v", item["requester"], item["requesterUpn"])
		}
		created, _ := time.Parse(time.RFC3339, item["createdDateTime"].(string))
		expires, _ := time.Parse(time.RFC3339, item["expiresDateTime"].(string))
		if expires.Sub(created) != 24*time.Hour {
			t.Errorf("window %v to %v", created, expires)
		}
		byID[item["id"].(string)] = item
	}
	role := byID[sim.DemoPendingRoleRequestID]
	if role["kind"] != "directoryRole" || role["name"] != "Billing Administrator" || role["scope"] != "tenant" || role["duration"] != "PT2H" ||
		role["ticketNumber"] != nil || role["justification"] != "Renew the E5 licences before the quarter closes" {
		t.Errorf("directory role request: %v", role)
	}
	group := byID[sim.DemoPendingGroupRequestID]
	if group["kind"] != "group" || group["scope"] != "group member" || group["duration"] != "PT4H" {
		t.Errorf("group request: %v", group)
	}
	azure := byID[sim.DemoPendingAzureRequestID]
	if azure["kind"] != "azureRole" || azure["scope"] != "sub: Contoso Prod" || azure["ticketNumber"] != "INC-4711" || azure["ticketSystem"] != "ServiceNow" || azure["duration"] != "PT1H" {
		t.Errorf("Azure request: %v", azure)
	}
	human, _, code := c.run("approvals")
	for _, w := range []string{sim.DemoPendingRoleRequestID, "Megan Bowen <" + sim.DemoApproverUPN + ">", "left of PIM's 24 hours", "stage 1 of 1 in progress, yours", "INC-4711 (ServiceNow)"} {
		if code != 0 || !strings.Contains(human, w) {
			t.Errorf("approvals lacks %q (exit %d):\n%s", w, code, human)
		}
	}
}

// approve and deny: exit 0 only when every decision was recorded, 1 when
// any was not (each line says which), 2 for usage.
func TestApproveAndDenyExitCodesAndLines(t *testing.T) {
	c := newCLI(t)
	c.login()
	for _, args := range [][]string{
		{"approve", sim.DemoPendingRoleRequestID},
		{"approve", sim.DemoPendingRoleRequestID, "--justification", "  "},
		{"deny", "--justification", "x"},
	} {
		if _, _, code := c.run(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if n := len(c.decisions()); n != 0 {
		t.Fatalf("usage errors sent %d decisions", n)
	}
	out, errOut, code := c.run("approve", sim.DemoPendingRoleRequestID, "--justification", "INC-7 confirmed", "--json")
	var res []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || len(res) != 1 || res[0]["recorded"] != true || res[0]["decision"] != "approve" || res[0]["kind"] != "directoryRole" {
		t.Fatalf("approve: exit %d %s %s", code, out, errOut)
	}
	out, _, code = c.run("deny", sim.DemoPendingAzureApprovalID, sim.DemoPendingRoleRequestID, "nope-not-an-id", "--justification", "no change ticket")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitFailure || len(lines) != 3 ||
		!strings.HasPrefix(lines[0], "✓ denied User Access Administrator (sub: Contoso Prod) from Megan Bowen") ||
		!strings.Contains(lines[1], "already approved by you") || !strings.Contains(lines[1], "nothing was sent") ||
		!strings.Contains(lines[2], "no request with this id waits for your approval") {
		t.Errorf("deny: exit %d\n%s", code, out)
	}
	if r, _ := c.tn.Request(sim.DemoPendingAzureRequestID); r.Status != "Denied" {
		t.Errorf("the Azure request is %s", r.Status)
	}
	if n := len(c.decisions()); n != 2 {
		t.Errorf("%d decisions sent, want 2", n)
	}
	hist, _, _ := c.run("history", "--json")
	if !strings.Contains(hist, `"action": "approve"`) || !strings.Contains(hist, `"action": "deny"`) || !strings.Contains(hist, `"requester": "Megan Bowen`) {
		t.Errorf("the journal lacks the decisions: %s", hist)
	}
}

func (c *cli) decisions() []sim.Request {
	var out []sim.Request
	for _, r := range c.tn.Requests() {
		if (r.Method == "PATCH" || r.Method == "PUT") && strings.Contains(r.Path, "pprovals/") {
			out = append(out, r)
		}
	}
	return out
}

// Every new command explains itself with examples.
func TestApproverCommandsHaveHelpWithExamples(t *testing.T) {
	c := newCLI(t)
	for _, cmd := range []string{"approvals", "approve", "deny", "renew"} {
		out, _, code := c.run(cmd, "--help")
		if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "pimento "+cmd) {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, out)
		}
	}
	if out, _, _ := c.run("activate", "--help"); !strings.Contains(out, "--start") || !strings.Contains(out, "+2h") {
		t.Errorf("activate --help lacks --start:\n%s", out)
	}
}

// activate --start: shown back in local time with the date, listed by
// status as scheduled with its start, withdrawn by cancel.
func TestScheduledActivationFromTheCommandLine(t *testing.T) {
	c := newCLI(t)
	c.login()
	out, errOut, code := c.run("activate", "Application Administrator", "--start", "+3h", "--duration", "1h", "--justification", "CHG-9 window", "--json")
	var res []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res[0]["status"] != "Granted" || res[0]["startDateTime"] == nil || res[0]["effective"] != false {
		t.Fatalf("activate --start: exit %d %s %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "note: scheduled: starts ") || !strings.Contains(errOut, "(your time; sent as ") {
		t.Errorf("the start was not shown back: %s", errOut)
	}
	start, _ := time.Parse(time.RFC3339, res[0]["startDateTime"].(string))
	if d := start.Sub(c.tn.Now()); d < 3*time.Hour-time.Minute || d > 3*time.Hour {
		t.Errorf("start %v is %s from the server's now", start, d)
	}
	out, _, _ = c.run("status", "--json")
	var st []map[string]any
	_ = json.Unmarshal([]byte(out), &st)
	found := false
	for _, x := range st {
		if x["name"] == "Application Administrator" {
			found = x["state"] == "scheduled" && x["startDateTime"] == res[0]["startDateTime"] && x["remainingSeconds"] == nil
		}
	}
	if !found {
		t.Errorf("status does not list it as scheduled: %s", out)
	}
	out, _, code = c.run("cancel", "Application Administrator")
	if code != 0 || !strings.Contains(out, "scheduled activation of Application Administrator") {
		t.Errorf("cancel: exit %d %s", code, out)
	}
	if out, _, _ := c.run("status", "--json"); strings.Contains(out, "scheduled") {
		t.Errorf("still scheduled: %s", out)
	}
	if _, errOut, code := c.run("activate", "Global Administrator", "--start", "yesterday", "--justification", "x"); code != exitUsage || !strings.Contains(errOut, "use a time like") {
		t.Errorf("bad --start: exit %d %s", code, errOut)
	}
}

// renew: refused inside 5 minutes (exit 1, possibleAt), then one
// deactivation and one activation with the same justification.
func TestRenewFromTheCommandLine(t *testing.T) {
	c := newCLI(t)
	c.login()
	if _, errOut, code := c.run("activate", "Application Administrator", "--duration", "1h", "--justification", "INC-3 secrets"); code != 0 {
		t.Fatalf("activate: %s", errOut)
	}
	out, _, code := c.run("renew", "Application Administrator", "--json")
	var j map[string]any
	if code != exitFailure || json.Unmarshal([]byte(out), &j) != nil || j["status"] != "TooSoon" || j["possibleAt"] == nil || j["deactivated"] != false {
		t.Fatalf("renew inside 5 minutes: exit %d %s", code, out)
	}
	c.tn.Clock().Advance(6 * time.Minute)
	c.tn.ResetLog()
	out, errOut, code := c.run("renew", "Application Administrator", "--duration", "2h")
	if code != 0 || !strings.Contains(out, "✓ Application Administrator (app: Payroll Connector) renewed") || !strings.Contains(errOut, "for a few seconds between the two you do not have it") {
		t.Fatalf("renew: exit %d\n%s\n%s", code, out, errOut)
	}
	var deact, act int
	for _, r := range c.tn.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "roleAssignmentScheduleRequests") {
			if strings.Contains(r.Body, `"selfDeactivate"`) {
				deact++
			} else if strings.Contains(r.Body, `"INC-3 secrets"`) {
				act++
			}
		}
	}
	if deact != 1 || act != 1 {
		t.Errorf("%d deactivations, %d activations with the same justification", deact, act)
	}
	if _, _, code := c.run("renew", "Global Administrator"); code != exitUsage {
		t.Errorf("renew of something not active: exit %d", code)
	}
}
