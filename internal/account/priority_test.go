package account_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"certlink/internal/account"
	"certlink/internal/auth"
	"certlink/internal/testenv"
	"certlink/internal/web"
)

// A recognized browser's sign-in goes before strangers' in the password
// queue a few times in a while per account, not without end: a review
// flooded sign-ins with its own account's device cookie from four
// addresses, and every other person's sign-in waited 9 s and was refused.
// Past PriorityRule's turns the cookie's sign-ins queue fairly (and still
// succeed); the turns come back as the period passes.
func TestRecognizedBrowserPriorityIsBounded(t *testing.T) {
	a := testenv.Open(t, testenv.SQLite)
	now := time.Now()
	var (
		mu       sync.Mutex
		priority []bool
	)
	hasher := auth.NewHasher(2, 16)
	hasher.Party = func(ctx context.Context) string {
		mu.Lock()
		priority = append(priority, auth.HasPriority(ctx))
		mu.Unlock()
		return "one address"
	}
	svc := &account.Service{Client: a.DB.Client, SessionTTL: time.Hour, Passwords: hasher, Now: func() time.Time { return now }}
	signIn := func(cookie *http.Cookie) *http.Cookie {
		t.Helper()
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		if cookie != nil {
			r.AddCookie(cookie)
		}
		w := httptest.NewRecorder()
		if _, err := svc.SignIn(web.WithExchange(context.Background(), w, r), "mona@contoso.example", "certlink-demo"); err != nil {
			t.Fatal(err)
		}
		for _, c := range w.Result().Cookies() {
			if c.Name == account.DeviceCookie {
				return c
			}
		}
		t.Fatal("no device cookie")
		return nil
	}
	device := signIn(nil)
	n := int(account.PriorityRule.Capacity)
	for range n + 3 {
		signIn(device)
	}
	mu.Lock()
	got := append([]bool(nil), priority...)
	priority = nil
	mu.Unlock()
	if got[0] {
		t.Fatal("a browser never seen had priority")
	}
	for i, p := range got[1:] {
		if p != (i < n) {
			t.Fatalf("recognized sign-in %d: priority %v, want %v (the first %d only)", i+1, p, i < n, n)
		}
	}
	// A period later the turns are back.
	now = now.Add(account.PriorityRule.Period)
	signIn(device)
	if mu.Lock(); len(priority) != 1 || !priority[0] {
		t.Fatalf("after a period: %v", priority)
	}
	mu.Unlock()
}
