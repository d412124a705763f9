package sim

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Query options on the PIM request lists (…ScheduleRequests/filterByCurrentUser)
// as Graph documents them, and no more: what the docs do not list is
// refused, so a client cannot come to rely on it (style.md §7).
//
// Sources, in /work/shared/docs/approvals-facts.md:
//   - §0 row 6, G9: filterByCurrentUser supports $select, $filter, $expand;
//     $orderby and $top are not documented (nor $skip, $count, $search).
//   - §0 row 7, §6.3, G10: $filter on role requests: status, principalId,
//     roleDefinitionId, targetScheduleId, id (eq, ne); directoryScopeId,
//     appScopeId (eq, ne, null). createdDateTime is not listed.
//   - §6.3, G14/G15/G17: group requests: status, principalId, groupId,
//     targetScheduleId, id. accessId is not listed.
//   - createdBy (eq, ne, null) is documented too, but it is an identitySet
//     and no client needs it: refused.

// filterField is one filterable property; nullable ones take "eq null".
type filterField struct {
	name     string // as Graph spells it, for messages
	nullable bool
}

var requestFilterFields = map[pimKind]map[string]filterField{
	kindRole: {
		"status":           {name: "status"},
		"principalid":      {name: "principalId"},
		"roledefinitionid": {name: "roleDefinitionId"},
		"targetscheduleid": {name: "targetScheduleId"},
		"id":               {name: "id"},
		"directoryscopeid": {name: "directoryScopeId", nullable: true},
		"appscopeid":       {name: "appScopeId", nullable: true},
	},
	kindGroup: {
		"status":           {name: "status"},
		"principalid":      {name: "principalId"},
		"groupid":          {name: "groupId"},
		"targetscheduleid": {name: "targetScheduleId"},
		"id":               {name: "id"},
	},
}

// checkQueryOptions refuses system query options the endpoint does not
// document. $skiptoken is ours: it is in the nextLinks we hand out.
func checkQueryOptions(r *http.Request, filterable bool) *apiError {
	for k := range r.URL.Query() {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "$") {
			continue
		}
		switch lk {
		case "$select", "$expand", "$skiptoken":
			continue
		case "$filter":
			if filterable {
				continue
			}
			return badRequest("BadRequest", fmt.Sprintf("The query option '%s' is not implemented on this endpoint by the simulated tenant.", k))
		}
		return badRequest("BadRequest", fmt.Sprintf("The query option '%s' is not supported on filterByCurrentUser; it supports $select, $filter and $expand.", k))
	}
	return nil
}

// requestFilter is a parsed $filter: clauses that must all hold.
type requestFilter []filterClause

type filterClause struct {
	field string  // lower-case key of requestFilterFields
	ne    bool    // ne rather than eq
	value *string // nil: null
}

// matches reports whether r satisfies every clause. String comparison
// ignores case, as ids are GUIDs and Graph compares them so.
func (f requestFilter) matches(r *scheduleRequest) bool {
	for _, c := range f {
		got, isNull := requestField(r, c.field)
		eq := isNull
		if c.value != nil {
			eq = !isNull && strings.EqualFold(got, *c.value)
		}
		if eq == c.ne {
			return false
		}
	}
	return true
}

// requestField is a request's value for a filterable property; isNull
// when Graph would show null.
func requestField(r *scheduleRequest, field string) (v string, isNull bool) {
	switch field {
	case "status":
		v = r.Status
	case "principalid":
		v = r.UserID
	case "roledefinitionid":
		v = r.RoleDefinitionID
	case "groupid":
		v = r.GroupID
	case "targetscheduleid":
		v = r.TargetSchedule
	case "id":
		v = r.ID
	case "directoryscopeid":
		v = r.DirectoryScopeID
	case "appscopeid":
		if r.AppScopeID == nil {
			return "", true
		}
		return *r.AppScopeID, false
	}
	return v, v == ""
}

type filterToken struct {
	text       string // a string literal's value, unescaped
	literal    bool   // a single-quoted string
	start, end int    // byte offsets in the filter
}

// tokenizeFilter splits a filter into words, single-quoted strings (a
// doubled quote inside stands for one) and the punctuation ( ) , as tokens
// of their own.
func tokenizeFilter(s string) ([]filterToken, *apiError) {
	var toks []filterToken
	for i := 0; i < len(s); {
		switch ch := s[i]; ch {
		case ' ', '\t':
			i++
		case '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, invalidFilter(s[i:], "the string is not closed with a quote")
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			toks = append(toks, filterToken{text: b.String(), literal: true, start: i, end: j + 1})
			i = j + 1
		case '(', ')', ',':
			toks = append(toks, filterToken{text: string(ch), start: i, end: i + 1})
			i++
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t'(),", rune(s[j])) {
				j++
			}
			toks = append(toks, filterToken{text: s[i:j], start: i, end: j})
			i = j
		}
	}
	return toks, nil
}

func invalidFilter(clause, why string) *apiError {
	return badRequest("BadRequest", fmt.Sprintf("Invalid filter clause '%s': %s.", strings.TrimSpace(clause), why))
}

// parseRequestFilter parses "<property> eq|ne '<value>'" clauses joined by
// " and " (null for nullable properties). Property names ignore case;
// operators and "and" are lower case, as OData writes them.
func parseRequestFilter(raw string, kind pimKind) (requestFilter, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	toks, aerr := tokenizeFilter(raw)
	if aerr != nil {
		return nil, aerr
	}
	fields := requestFilterFields[kind]
	var out requestFilter
	// Graph: "and" in lower case only, as OData writes it.
	for _, cl := range splitAnd(toks, func(w string) bool { return w == "and" }) {
		c, aerr := parseClause(raw, cl, fields)
		if aerr != nil {
			return nil, aerr
		}
		out = append(out, c)
	}
	return out, nil
}

// splitAnd splits filter tokens into clauses at each word isAnd accepts
// (each service has its own case rule); an empty clause stays, for the
// caller to refuse.
func splitAnd(toks []filterToken, isAnd func(word string) bool) [][]filterToken {
	var clauses [][]filterToken
	cur := []filterToken{}
	for _, tk := range toks {
		if !tk.literal && isAnd(tk.text) {
			clauses = append(clauses, cur)
			cur = []filterToken{}
			continue
		}
		cur = append(cur, tk)
	}
	return append(clauses, cur)
}

func parseClause(raw string, cl []filterToken, fields map[string]filterField) (filterClause, *apiError) {
	if len(cl) == 0 {
		return filterClause{}, invalidFilter(raw, "an empty clause next to 'and'")
	}
	text := raw[cl[0].start:cl[len(cl)-1].end]
	for _, tk := range cl {
		if tk.literal {
			continue
		}
		switch strings.ToLower(tk.text) {
		case "or":
			return filterClause{}, invalidFilter(text, "'or' is not supported; join clauses with 'and'")
		case "not":
			return filterClause{}, invalidFilter(text, "'not' is not supported")
		case "(", ")", ",":
			return filterClause{}, invalidFilter(text, "functions and parentheses are not supported")
		}
	}
	if len(cl) != 3 || cl[0].literal || cl[1].literal {
		return filterClause{}, invalidFilter(text, "expected <property> eq|ne '<value>'")
	}
	key := strings.ToLower(cl[0].text)
	f, ok := fields[key]
	if !ok {
		return filterClause{}, invalidFilter(text, fmt.Sprintf("the property '%s' cannot be filtered on here (filterable: %s)", cl[0].text, fieldList(fields)))
	}
	c := filterClause{field: key}
	switch cl[1].text {
	case "eq":
	case "ne":
		c.ne = true
	default:
		return filterClause{}, invalidFilter(text, fmt.Sprintf("the operator '%s' is not supported on %s; use eq or ne", cl[1].text, f.name))
	}
	switch v := cl[2]; {
	case v.literal:
		c.value = &v.text
	case v.text == "null" && f.nullable:
		c.value = nil
	case v.text == "null":
		return filterClause{}, invalidFilter(text, fmt.Sprintf("%s cannot be compared with null", f.name))
	default:
		return filterClause{}, invalidFilter(text, "the value must be a single-quoted string")
	}
	return c, nil
}

func fieldList(fields map[string]filterField) string {
	var names []string
	for _, f := range fields {
		names = append(names, f.name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
