package auth_test

import (
	"net/http"
	"strings"
)

func newRequest(method, u, body, token string) (*http.Request, error) {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}
