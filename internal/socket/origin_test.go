package socket

import "testing"

func TestNormalizeOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://Certlink.Example":      "https://certlink.example",
		"https://certlink.example:443":  "https://certlink.example",
		"http://certlink.example:80":    "http://certlink.example",
		"http://certlink.example:443":   "http://certlink.example:443",
		"http://127.0.0.1:8080/":        "http://127.0.0.1:8080",
		"http://[::1]:8080":             "http://[::1]:8080",
		"https://certlink.example/path": "https://certlink.example",
		"ws://certlink.example":         "",
		"file://certlink.example":       "",
		"null":                          "",
		"//certlink.example":            "",
		"https://user@certlink.example": "",
		"https://certlink.example?x=1":  "",
		"":                              "",
	} {
		if got := NormalizeOrigin(in); got != want {
			t.Errorf("NormalizeOrigin(%q) = %q, want %q", in, got, want)
		}
	}
	allowed := []string{"https://certlink.example/", "http://127.0.0.1:8080"}
	for _, c := range []struct {
		values []string
		ok     bool
	}{
		{nil, true},
		{[]string{"https://certlink.example"}, true},
		{[]string{"http://certlink.example"}, false},
		{[]string{"http://127.0.0.1:8081"}, false},
		{[]string{"https://certlink.example", "https://certlink.example"}, false},
	} {
		if got := OriginAllowed(c.values, allowed); got != c.ok {
			t.Errorf("OriginAllowed(%q) = %v", c.values, got)
		}
	}
}

func TestNormalizeOriginNeedsAHost(t *testing.T) {
	for _, in := range []string{"http://:8080", "https://", "http://[]:80"} {
		if got := NormalizeOrigin(in); got != "" {
			t.Errorf("NormalizeOrigin(%q) = %q, want none", in, got)
		}
	}
}
