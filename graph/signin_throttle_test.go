package graph_test

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"

	"certlink/ent/user"
	"certlink/internal/account"
	"certlink/internal/testenv"
)

const mSignIn = `mutation($e:String!,$p:String!){signIn(input:{email:$e,password:$p}){token}}`

// attack sends n sign-ins at once, all wrong but one (at a random place), and
// returns the codes in order.
func attack(t *testing.T, n int, send func(i int, password string) *testenv.Response) []string {
	t.Helper()
	right := rand.IntN(n)
	codes := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			pw := fmt.Sprintf("guess-%03d", i)
			if i == right {
				pw = "certlink-demo"
			}
			r := send(i, pw)
			if r.Status >= 500 {
				t.Errorf("guess %d: status %d", i, r.Status)
			}
			codes[i] = r.Code()
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

// tally counts the wrong passwords tested (INVALID_CREDENTIALS) and the right
// ones let in among an attack's answers; refusals (RATE_LIMITED) are neither,
// and any other code fails the test.
func tally(t *testing.T, codes []string) (wrong, right int) {
	t.Helper()
	for _, c := range codes {
		switch c {
		case "RATE_LIMITED":
		case "INVALID_CREDENTIALS":
			wrong++
		case "":
			right++
		default:
			t.Fatalf("unexpected code %q (codes %v)", c, codes)
		}
	}
	return wrong, right
}

// Item 7: the attempt is reserved before the password is tested, so 100 guesses
// sent at once are tested at most as often as the limit allows.
func TestParallelSignInGuessesAreTestedAtMostTheLimit(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		before := e.App.Passwords.Runs()
		codes := attack(t, 100, func(_ int, pw string) *testenv.Response {
			return e.Do("", mSignIn, map[string]any{"e": "mona@contoso.example", "p": pw})
		})
		wrong, right := tally(t, codes)
		// A right password gives its reservation back (a success is not a
		// failure), so it may let one more guess in; wrong passwords are
		// tested at most as often as the limit allows, whatever the order.
		limit := int(account.PairRule.Capacity)
		if wrong > limit {
			t.Fatalf("%d wrong guesses of 100 sent at once were tested; the limit is %d", wrong, limit)
		}
		if runs := e.App.Passwords.Runs() - before; runs > int64(wrong+right) || runs > int64(limit+1) {
			t.Fatalf("%d password checks ran for %d answered guesses; the limit is %d", runs, wrong+right, limit)
		}
	})
}

// Item 7: an attacker who types wrong passwords cannot lock the owner out. The
// owner's browser, where they signed in before, is recognized by its device
// cookie and throttled on its own; a new device of the owner at another
// address is throttled per address until the attacker, spread over many
// addresses, fills the account's bucket — and even then the recognized
// browser signs in.
func TestSignInAttackerCannotLockTheOwnerOut(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		const mona = "mona@contoso.example"
		owner := e.Browser("127.0.0.1")
		if r := owner.SignIn(mona, "certlink-demo"); len(r.Errors) > 0 {
			t.Fatalf("owner's first sign-in: %+v", r.Errors)
		}
		device := cookie(t, owner, account.DeviceCookie)
		if device == "" {
			t.Fatal("no device cookie after signing in")
		}

		// The attacker, at the owner's own address (same NAT), without the cookie.
		attacker := e.Browser("127.0.0.1")
		codes := map[string]int{}
		for i := 0; i < 12; i++ {
			codes[attacker.SignIn(mona, fmt.Sprintf("guess-%d", i)).Code()]++
		}
		if codes["INVALID_CREDENTIALS"] != int(account.PairRule.Capacity) || codes["RATE_LIMITED"] != 12-int(account.PairRule.Capacity) {
			t.Fatalf("attacker's guesses: %v", codes)
		}
		if r := attacker.SignIn(mona, "certlink-demo"); r.Code() != "RATE_LIMITED" {
			t.Fatalf("attacker with the right password while throttled: %+v", r.Errors)
		}
		// The owner's browser is recognized: not throttled by the attacker.
		if r := owner.SignIn(mona, "certlink-demo"); len(r.Errors) > 0 {
			t.Fatalf("owner's recognized browser locked out: %+v", r.Errors)
		}
		// The owner on a new device elsewhere still signs in.
		if r := e.Browser("127.0.0.2").SignIn(mona, "certlink-demo"); len(r.Errors) > 0 {
			t.Fatalf("owner on a new device at another address: %+v", r.Errors)
		}
		// A forged device cookie (another account's, or tampered) is not recognized.
		forged := e.Browser("127.0.0.1")
		setCookie(t, forged, account.DeviceCookie, device[:len(device)-2]+"xx")
		if r := forged.SignIn(mona, "certlink-demo"); r.Code() != "RATE_LIMITED" {
			t.Fatalf("tampered device cookie recognized: %+v", r.Errors)
		}

		// An attacker spread over many addresses fills the account's bucket.
		for a := 3; a < 10; a++ {
			b := e.Browser(fmt.Sprintf("127.0.0.%d", a))
			for i := 0; i < int(account.PairRule.Capacity); i++ {
				b.SignIn(mona, fmt.Sprintf("spread-%d-%d", a, i))
			}
		}
		if r := e.Browser("127.0.0.20").SignIn(mona, "certlink-demo"); r.Code() != "RATE_LIMITED" {
			t.Fatalf("account bucket: a new device was not throttled: %+v", r.Errors)
		} else if r.Errors[0].Extensions["retryAt"] == nil {
			t.Fatalf("RATE_LIMITED without retryAt: %+v", r.Errors)
		}
		if r := owner.SignIn(mona, "certlink-demo"); len(r.Errors) > 0 {
			t.Fatalf("owner's recognized browser locked out by a spread attack: %+v", r.Errors)
		}
		// Other accounts are untouched.
		if r := e.Browser("127.0.0.20").SignIn("grace@contoso.example", "certlink-demo"); len(r.Errors) > 0 {
			t.Fatalf("another account: %+v", r.Errors)
		}

		// A device cookie names one account and one password: after a password
		// change it is recognized no more.
		tok := e.Demo("grace@contoso.example")
		must(t, e, tok, mChangePw, map[string]any{"c": "certlink-demo", "n": "tea-and-biscuits-7"}, nil)
		gb := e.Browser("127.0.0.1")
		if r := gb.SignIn("grace@contoso.example", "tea-and-biscuits-7"); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		if recognizedBy(t, e, gb, "grace@contoso.example") != true {
			t.Fatal("grace's browser not recognized after signing in")
		}
		must(t, e, e.SignIn("grace@contoso.example", "tea-and-biscuits-7"), mChangePw,
			map[string]any{"c": "tea-and-biscuits-7", "n": "biscuits-and-tea-8"}, nil)
		if recognizedBy(t, e, gb, "grace@contoso.example") {
			t.Fatal("a device cookie outlived the password it was issued under")
		}
	})
}

// recognizedBy tells whether b's device cookie is recognized for email, by
// whether a wrong password from it counts in the device's bucket or the
// address's: the address bucket of 127.0.0.1 is read before and after.
func recognizedBy(t *testing.T, e *testenv.Env, b *testenv.Browser, email string) bool {
	t.Helper()
	key := func() float64 {
		return e.App.Throttle.Failures(account.AddressKey("127.0.0.1"))
	}
	before := key()
	if r := b.SignIn(email, "not-the-password"); r.Code() != "INVALID_CREDENTIALS" {
		t.Fatalf("wrong password: %+v", r.Errors)
	}
	return key()-before < 0.5
}

func cookie(t *testing.T, b *testenv.Browser, name string) string {
	t.Helper()
	u, _ := url.Parse(b.URL() + "/graphql")
	for _, c := range b.HTTP.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func setCookie(t *testing.T, b *testenv.Browser, name, value string) {
	t.Helper()
	u, _ := url.Parse(b.URL() + "/graphql")
	b.SetCookie(u, name, value)
}

// Item 7: an unknown email and a wrong password cost the same work — one
// password check each — as does an account without a password.
func TestUnknownEmailAndWrongPasswordCostTheSame(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		e.App.DB.Client.User.Update().Where(user.Email("riley@contoso.example")).SetPasswordHash("").ExecX(sys())
		for i, email := range []string{"nobody@contoso.example", "mona@contoso.example", "riley@contoso.example", "NoBody@Elsewhere.example"} {
			b := e.Browser(fmt.Sprintf("127.0.0.%d", 30+i))
			for j := 0; j < 3; j++ {
				before := e.App.Passwords.Runs()
				r := b.SignIn(email, "wrong-password")
				if r.Code() != "INVALID_CREDENTIALS" || r.Errors[0].Message != "The email or password is not correct." {
					t.Fatalf("%s: %+v", email, r.Errors)
				}
				if n := e.App.Passwords.Runs() - before; n != 1 {
					t.Fatalf("%s: %d password checks, want exactly 1", email, n)
				}
			}
		}
	})
}

// Item 7: the current password asked by changePassword is throttled too: a
// stolen session cannot guess it.
func TestCurrentPasswordIsThrottled(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite)
	tok := e.Demo("mona@contoso.example")
	codes := []string{}
	for i := 0; i < 7; i++ {
		codes = append(codes, call(t, e, tok, mChangePw, map[string]any{"c": fmt.Sprintf("guess-%d", i), "n": "a-fresh-secret-9"}, nil))
	}
	want := strings.Repeat("INVALID_CREDENTIALS ", int(account.CurrentPasswordRule.Capacity)) + "RATE_LIMITED RATE_LIMITED "
	if got := strings.Join(codes, " ") + " "; got != want {
		t.Fatalf("wrong current passwords: %s", got)
	}
}

// Other spellings of an account's email are not that account, whatever the
// database's collation (ent creates utf8mb4_bin columns; a DBA's
// utf8mb4_unicode_ci would find "möna" for "mona"): they neither sign it in nor
// open fresh throttle buckets for guessing at it.
func TestEmailSpellingsAreNotTheAccount(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		for i, email := range []string{"möna@contoso.example", "mòna@contoso.example", "moña@contoso.example", "mona@contosó.example"} {
			b := e.Browser(fmt.Sprintf("127.0.0.%d", 40+i))
			if r := b.SignIn(email, "certlink-demo"); r.Code() != "INVALID_CREDENTIALS" {
				t.Fatalf("%s with mona's password: %+v %s", email, r.Errors, r.Data)
			}
		}
		alex := e.Demo("alex@contoso.example")
		if c := call(t, e, alex, mAssocLearning, map[string]any{"e": "jördan@learn.example", "p": "learn-demo"}, nil); c != "INVALID_CREDENTIALS" {
			t.Fatalf("another spelling of a directory account: %q", c)
		}
	})
}
