package app_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"certlink/ent/user"
	"certlink/internal/app"
	"certlink/internal/guard"
	"certlink/internal/testenv"
	"certlink/internal/viewer"
)

// pushSub is the review's heavy live subscription (sub_amplify.py): every
// push resolves the people of every requirement for its subscriber alone.
const pushSub = `subscription{competencyProgressChanged{competency{key} status levels{options{requirements{key current people(first:100){id email name}}}}}}`

// pushSubPoints is what a query of pushSub's shape costs (guard.Points of
// its cost); the test checks it against the first answer.
const pushSubPoints = 4

// A flood of changes while one admin holds the most subscriptions an account
// may open (the review's sub_amplify.py opened 40): each subscription gets at
// most one push per guard.DefaultPushEvery, every push is charged to the
// admin's push bucket at the subscription's points, and once that bucket is
// empty each subscription gets one RATE_LIMITED error and no more pushes;
// another admin of the same organization, subscribed to the same feed, keeps
// getting every update. The admin's query bucket pays for the subscriptions'
// first answers and nothing of the pushes: the flood of someone else's
// changes leaves the admin's queries (and API tokens) their points (review:
// another admin toggling an attestation four times a second emptied them).
func TestSubscriptionFloodIsPacedAndCharged(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		const subs, pushesEach = 8, 3
		// The push bucket pays subs×pushesEach pushes; the query bucket, of
		// the same size, the subscriptions' first answers and the queries.
		capacity := subs * pushesEach * pushSubPoints
		e := testenv.Start(t, d, func(c *app.Config) { c.RateLimit = capacity })
		grace, mona := e.Demo("grace@contoso.example"), e.Demo("mona@contoso.example")

		g := bearerWS(t, e, grace)
		og := readOps(g)
		for i := range subs {
			send(t, g, subscribeMsg("s"+strconv.Itoa(i), pushSub))
		}
		m := bearerWS(t, e, mona)
		om := readOps(m)
		send(t, m, subscribeMsg("m", pushSub))
		for i := range subs {
			first := og.next(t, "s"+strconv.Itoa(i), 30*time.Second)
			p, served := pushPoints(t, first)
			t.Logf("first answer: %v points, %v fields served", p, served)
			if p != pushSubPoints {
				t.Fatalf("the subscription costs %v points, the test assumes %d", p, pushSubPoints)
			}
		}
		om.next(t, "m", 30*time.Second)
		// One more, on another socket of the same account: over the cap.
		g2 := bearerWS(t, e, grace)
		og2 := readOps(g2)
		send(t, g2, subscribeMsg("over", pushSub))
		if m := og2.next(t, "over", 10*time.Second); !strings.Contains(string(m.Payload), "RATE_LIMITED") || !strings.Contains(string(m.Payload), "subscriptions open") {
			t.Fatalf("subscription %d of one account: %s %s", subs+1, m.Type, m.Payload)
		}

		// The flood: a change every 5 ms until every subscription of the
		// admin was told RATE_LIMITED (how many computations that takes
		// depends on the machine's load).
		start := time.Now()
		data := map[string]int{}
		limited := map[string]int{}
		afterLimited := 0
		count := func() {
			for i := range subs {
				id := "s" + strconv.Itoa(i)
				d, l := drain(t, og, id)
				if limited[id] > 0 {
					afterLimited += d
				}
				data[id] += d
				limited[id] += l
			}
			d, l := drain(t, om, "m")
			data["m"] += d
			limited["m"] += l
		}
		for all := false; !all && time.Since(start) < 90*time.Second; {
			for range 20 {
				e.App.Live.PublishAll()
				time.Sleep(5 * time.Millisecond)
			}
			count()
			all = true
			for i := range subs {
				all = all && limited["s"+strconv.Itoa(i)] > 0
			}
		}
		time.Sleep(time.Second)
		count()
		elapsed := time.Since(start)
		t.Logf("%d computations of the organization's progress in %v", e.App.Feeds.Progress.Computations(), elapsed)

		bound := int(elapsed/guard.DefaultPushEvery) + 1
		total := 0
		for i := range subs {
			id := "s" + strconv.Itoa(i)
			t.Logf("%s: %d pushes, %d RATE_LIMITED", id, data[id], limited[id])
			if data[id] > bound {
				t.Errorf("%s: %d pushes in %v, more than one per %v", id, data[id], elapsed, guard.DefaultPushEvery)
			}
			if limited[id] != 1 {
				t.Errorf("%s: %d RATE_LIMITED errors, want 1 once the bucket is empty", id, limited[id])
			}
			total += data[id]
		}
		if afterLimited > 0 {
			t.Errorf("%d pushes after RATE_LIMITED, before the bucket could refill", afterLimited)
		}
		// Every push was charged: the bucket allowed subs×pushesEach pushes
		// (one more per subscription may start before another's charge).
		if total < subs*pushesEach-subs || total > subs*pushesEach+subs {
			t.Errorf("%d pushes for a bucket of %d pushes", total, subs*pushesEach)
		}
		// The push bucket holds less than one more push.
		if q := e.App.RateLimits.Peek(guard.PushKey("user:" + strconv.Itoa(e.App.DB.Client.User.Query().Where(user.Email("grace@contoso.example")).OnlyIDX(viewer.System(context.Background()))))); q.Remaining >= pushSubPoints {
			t.Errorf("the admin's push bucket still holds a push after the pushes: %d left", q.Remaining)
		}
		// The query bucket paid the first answers and this query, no push.
		r := e.Do(grace, "{me{email}}", nil)
		left, err := strconv.Atoi(r.Header.Get("X-RateLimit-Remaining"))
		if want := capacity - subs*pushSubPoints - 1; r.Errors != nil || err != nil || left < want-1 {
			t.Errorf("the admin's query bucket after the pushes of others' changes: %+v %q left, want %d", r.Errors, r.Header.Get("X-RateLimit-Remaining"), want)
		}
		// The other admin's subscription got the updates, paced too.
		t.Logf("other admin: %d pushes", data["m"])
		if data["m"] < 2 || limited["m"] > 0 || data["m"] > bound {
			t.Errorf("the other admin's subscription got %d pushes (%d RATE_LIMITED) during the flood", data["m"], limited["m"])
		}
	})
}

func pushPoints(t *testing.T, m wsMsg) (points, served float64) {
	t.Helper()
	var p struct {
		Extensions struct {
			Cost struct{ Points, ServedFields float64 }
		}
		Errors []any
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || m.Type != "next" || len(p.Errors) > 0 {
		t.Fatalf("%s %s: %v", m.Type, m.Payload, err)
	}
	return p.Extensions.Cost.Points, p.Extensions.Cost.ServedFields
}

// drain counts the messages of id received so far: pushes with data, and
// RATE_LIMITED errors.
func drain(t *testing.T, o *ops, id string) (data, limited int) {
	t.Helper()
	for {
		select {
		case m := <-o.ch(id):
			switch {
			case m.Type == "next" && strings.Contains(string(m.Payload), `"RATE_LIMITED"`):
				limited++
			case m.Type == "next" && strings.Contains(string(m.Payload), `"data"`):
				data++
			default:
				t.Fatalf("%s: %s %s", id, m.Type, m.Payload)
			}
		default:
			return data, limited
		}
	}
}

// TestAPITokenPushesPayFromTheirOwnBucket: a partner tool's live feed,
// through an API token, pays its pushes from the bucket all the account's
// API tokens share; the admin's own live page keeps its bucket whole. The
// push bucket was the account's: a token's subscriptions could use it up and
// leave its admin's page RATE_LIMITED. Then each token had its own, and
// every new token bought a fresh bucket (re-attack review).
func TestAPITokenPushesPayFromTheirOwnBucket(t *testing.T) {
	e := testenv.Start(t, testenv.SQLite, func(c *app.Config) { c.RateLimit = 200 })
	grace := e.Demo("grace@contoso.example")
	var out struct {
		CreateAPIToken struct {
			Token  struct{ ID string }
			Secret string
		} `json:"createApiToken"`
	}
	e.Do(grace, `mutation{createApiToken(input:{name:"live",scopes:[PROGRESS_READ]}){token{id} secret}}`, nil).Decode(t, &out)
	tokenID := e.RowID(t, out.CreateAPIToken.Token.ID)
	graceID := e.App.DB.Client.User.Query().Where(user.Email("grace@contoso.example")).OnlyIDX(viewer.System(context.Background()))
	c := bearerWS(t, e, out.CreateAPIToken.Secret)
	o := readOps(c)
	send(t, c, subscribeMsg("s", pushSub))
	o.next(t, "s", 30*time.Second)
	testenv.Eventually(t, 30*time.Second, func() bool {
		e.App.Live.PublishAll()
		time.Sleep(50 * time.Millisecond)
		d, _ := drain(t, o, "s")
		return d > 0
	}, "no push reached the token's subscription")
	if q := e.App.RateLimits.Peek(guard.PushKey(guard.APITokensPushOwner(graceID))); q.Remaining >= 200 {
		t.Fatalf("the account's API tokens' push bucket paid nothing: %d left", q.Remaining)
	}
	if q := e.App.RateLimits.Peek(guard.PushKey("token:" + strconv.Itoa(tokenID))); q.Remaining < 200 {
		t.Fatalf("the token has a push bucket of its own, %d left: a new token would buy more pushes", q.Remaining)
	}
	if q := e.App.RateLimits.Peek(guard.PushKey("user:" + strconv.Itoa(graceID))); q.Remaining < 200 {
		t.Fatalf("the admin's push bucket paid for the token's pushes: %d left of 200", q.Remaining)
	}
}
