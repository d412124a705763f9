package pim

import (
	"context"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/directoryobjects"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Requesters' names: the inbox asks Graph to expand each request's
// principal, and whether that carries more than the id is UNVERIFIED (AF
// §9.19). Requesters it left unnamed are looked up, in the load's next
// wave; a lookup the admin may not make leaves the id, never a failure.

// userRequests are the lookups of requesters Graph did not name.
func (l *loader) userRequests(ctx context.Context) ([]batchReq, error) {
	return l.s.userLookups(ctx, l.inbox.unnamed(), l.asked)
}

// userLookups are the lookups of the ids not asked for yet, each once;
// asked records them.
func (s *Service) userLookups(ctx context.Context, ids []string, asked map[string]bool) ([]batchReq, error) {
	var reqs []batchReq
	for _, id := range ids {
		key := "user|" + id
		if id == "" || asked[key] {
			continue
		}
		asked[key] = true
		r, err := s.userRequest(ctx, id)
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, r)
	}
	return reqs, nil
}

// userRequest looks one user up by id, as a batch item keyed "user|id".
func (s *Service) userRequest(ctx context.Context, id string) (batchReq, error) {
	info, err := s.graph.directoryObjects().ByDirectoryObjectId(id).ToGetRequestInformation(ctx,
		&directoryobjects.DirectoryObjectItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &directoryobjects.DirectoryObjectItemRequestBuilderGetQueryParameters{Select: []string{"id", "displayName", "userPrincipalName"}},
		})
	return batchReq{key: "user|" + id, info: info}, err
}

// readUser keeps a looked-up requester's names.
func (l *loader) readUser(res map[string]batchRes, key string) {
	if l.users == nil {
		l.users = map[string][2]string{}
	}
	l.s.readUser(res, key, l.users)
}

// readUser puts a looked-up user's names (display name, UPN) in users; a
// lookup that failed leaves them out.
func (s *Service) readUser(res map[string]batchRes, key string, users map[string][2]string) {
	id := strings.TrimPrefix(key, "user|")
	v, err := decodeItem[models.DirectoryObjectable](res, key, models.CreateDirectoryObjectFromDiscriminatorValue)
	if err != nil {
		s.debugf("requester %s: %s", id, describe(err))
		return
	}
	name, upn := principalNames(v)
	users[id] = [2]string{name, upn}
}

// named fills a's requester from a lookup when Graph did not expand it.
func (l *loader) named(a Approval) Approval {
	if a.Requester != "" || a.RequesterUPN != "" {
		return a
	}
	if u, ok := l.users[a.RequesterID]; ok {
		a.Requester, a.RequesterUPN = u[0], u[1]
	}
	return a
}
