package app_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"certlink/internal/app"
	"certlink/internal/guard"
	"certlink/internal/testenv"
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
// admin's bucket at the subscription's points, and once the bucket is empty
// each subscription gets one RATE_LIMITED error and no more pushes; another
// admin of the same organization, subscribed to the same feed, keeps getting
// every update.
func TestSubscriptionFloodIsPacedAndCharged(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		const subs, pushesEach = 8, 3
		capacity := subs*pushSubPoints + subs*pushesEach*pushSubPoints + 2 // + the 2 queries below
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

		// The flood: a change every 5 ms for 2 s.
		start := time.Now()
		for time.Since(start) < 2*time.Second {
			e.App.Live.PublishAll()
			time.Sleep(5 * time.Millisecond)
		}
		// One more change once the bucket is empty: a subscription that was
		// waiting for it with the points it had gets its push, then its
		// RATE_LIMITED.
		time.Sleep(time.Second)
		e.App.Live.PublishAll()
		time.Sleep(1500 * time.Millisecond)
		elapsed := time.Since(start)
		t.Logf("%d computations of the organization's progress in %v", e.App.Feeds.Progress.Computations(), elapsed)

		bound := int(elapsed/guard.DefaultPushEvery) + 1
		total := 0
		for i := range subs {
			id := "s" + strconv.Itoa(i)
			data, limited := drain(t, og, id)
			t.Logf("%s: %d pushes, %d RATE_LIMITED", id, data, limited)
			if data > bound {
				t.Errorf("%s: %d pushes in %v, more than one per %v", id, data, elapsed, guard.DefaultPushEvery)
			}
			if limited != 1 {
				t.Errorf("%s: %d RATE_LIMITED errors, want 1 once the bucket is empty", id, limited)
			}
			total += data
		}
		// Every push was charged: the bucket allowed subs×pushesEach pushes
		// (one more per subscription may start before another's charge).
		if total < subs*pushesEach-subs || total > subs*pushesEach+subs {
			t.Errorf("%d pushes for a bucket of %d pushes", total, subs*pushesEach)
		}
		if r := e.Do(grace, "{me{email}}", nil); r.Code() != "RATE_LIMITED" {
			t.Errorf("the admin's bucket is not empty after the pushes: %+v %v", r.Errors, r.Header.Get("X-RateLimit-Remaining"))
		}
		// The other admin's subscription got the updates.
		data, limited := drain(t, om, "m")
		t.Logf("other admin: %d pushes", data)
		if data < 2 || limited > 0 || data > bound {
			t.Errorf("the other admin's subscription got %d pushes (%d RATE_LIMITED) during the flood", data, limited)
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
