package testenv

import (
	"io"
	"net/http"
	"strings"
)

// Post sends body to path with a content type and an optional bearer token.
func (e *Env) Post(token, path, contentType, body string) (*http.Response, []byte) {
	e.T.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}
