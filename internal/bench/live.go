package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"certlink/internal/guard"
)

// liveQuery is the subscription the live measurement holds open: every
// requirement's count, so that a message shows which change it carries.
const liveQuery = `subscription{competencyProgressChanged{competency{id} status levels{level attained options{name met unmetOn
  requirements{id current met unmetOn}}}}}`

type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// arrival is a subscription message and when the bench read it.
type arrival struct {
	total int // the sum of every requirement's count
	at    time.Time
	err   error
}

// measureLive times how long a change takes to reach an open subscription
// (B4): the organization's admin subscribes to competencyProgressChanged over
// graphql-transport-ws, and a person holding results of counting skills
// associates and removes their Learning account in turn; each time, from the
// moment the mutation is sent until the subscriber has read the message whose
// counts carry the change. The person's Learning sign-in is proven once
// (provenOnce), so the association's time is certlink's own.
//
// A subscription sends at most one message every guard.DefaultPushEvery (the
// latest state when several changes came meanwhile), so each change is made
// at least that long after the message before it: what is timed is how soon a
// change reaches a subscriber, not the pacing of a burst.
func (r *run) measureLive(ctx context.Context, res *Result, orgs []*org, _ []client) error {
	if r.probe == nil {
		return nil
	}
	adminToken, err := r.signIn(ctx, orgs[0].AdminEmail, workPassword)
	if err != nil {
		return err
	}
	probeToken, err := r.signIn(ctx, r.probe.WorkEmail, workPassword)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	conn, _, err := websocket.Dial(wctx, "ws"+strings.TrimPrefix(r.base, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPClient: r.http})
	if err != nil {
		return fmt.Errorf("opening the subscription socket: %w", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 24)
	init, _ := json.Marshal(map[string]string{"authorization": "Bearer " + adminToken})
	if err := wsjson.Write(wctx, conn, wsMsg{Type: "connection_init", Payload: init}); err != nil {
		return err
	}
	var ack wsMsg
	if err := wsjson.Read(wctx, conn, &ack); err != nil {
		return err
	}
	if ack.Type != "connection_ack" {
		return fmt.Errorf("the subscription socket answered %s: %s", ack.Type, ack.Payload)
	}
	sub, _ := json.Marshal(map[string]string{"query": liveQuery})
	if err := wsjson.Write(wctx, conn, wsMsg{ID: "p", Type: "subscribe", Payload: sub}); err != nil {
		return err
	}
	arrivals := make(chan arrival, 64)
	go func() {
		defer close(arrivals)
		for {
			var m wsMsg
			err := wsjson.Read(wctx, conn, &m)
			now := time.Now()
			if err != nil {
				if wctx.Err() == nil {
					arrivals <- arrival{err: err}
				}
				return
			}
			switch m.Type {
			case "ping":
				_ = wsjson.Write(wctx, conn, wsMsg{Type: "pong"})
				continue
			case "pong":
				continue
			case "next":
			default:
				arrivals <- arrival{err: fmt.Errorf("subscription: %s %s", m.Type, m.Payload)}
				return
			}
			total, err := liveTotal(m.Payload)
			arrivals <- arrival{total: total, at: now, err: err}
		}
	}()
	next := func(within time.Duration) (arrival, error) {
		select {
		case a, ok := <-arrivals:
			if !ok {
				return a, fmt.Errorf("the subscription ended")
			}
			return a, a.err
		case <-time.After(within):
			return arrival{}, fmt.Errorf("no subscription message within %s", within)
		}
	}
	first, err := next(time.Minute)
	if err != nil {
		return err
	}
	r.dir.on.Store(true)
	defer r.dir.on.Store(false)
	total, last := first.total, first.at
	var lat, mut, after []time.Duration
	for i := -1; i < r.cfg.Runs; i++ { // one warm-up round (it proves the sign-in)
		for _, op := range []struct {
			q    string
			v    map[string]any
			sign int
		}{{associateMutation, map[string]any{"e": r.probe.LearnEmail, "p": directoryPassword}, +1}, {removeMutation, nil, -1}} {
			if wait := time.Until(last.Add(guard.DefaultPushEvery + 10*time.Millisecond)); wait > 0 {
				time.Sleep(wait)
			}
			t := time.Now()
			if _, err := r.gql(ctx, probeToken, op.q, op.v, nil); err != nil {
				return fmt.Errorf("the live measurement's change: %w", err)
			}
			answered := time.Since(t)
			for {
				a, err := next(10 * time.Second)
				if err != nil {
					return err
				}
				last = a.at
				if (a.total-total)*op.sign > 0 {
					total = a.total
					if i >= 0 {
						lat, mut = append(lat, a.at.Sub(t)), append(mut, answered)
						after = append(after, a.at.Sub(t.Add(answered)))
					}
					break
				}
				total = a.total // a message without this change (none expected)
			}
		}
	}
	fmt.Fprintf(r.out, "live progress       %d changes at %d people: mutation sent → message read p50 %s p99 %s; the mutation's answer p50 %s; its answer → message read p50 %s p99 %s\n",
		len(lat), orgs[0].People, ms(pct(lat, 50)), ms(pct(lat, 99)), ms(pct(mut, 50)), ms(pct(after, 50)), ms(pct(after, 99)))
	res.add("live_p50_ms", "%.1f", msf(pct(lat, 50)))
	res.add("live_p99_ms", "%.1f", msf(pct(lat, 99)))
	res.add("live_after_answer_p50_ms", "%.1f", msf(pct(after, 50)))
	res.add("live_after_answer_p99_ms", "%.1f", msf(pct(after, 99)))
	return nil
}

// liveTotal sums the requirement counts of a competencyProgressChanged
// message.
func liveTotal(payload json.RawMessage) (int, error) {
	var p struct {
		Data struct {
			CompetencyProgressChanged []struct {
				Levels []struct {
					Options []struct {
						Requirements []struct{ Current int }
					}
				}
			}
		}
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return 0, err
	}
	if len(p.Errors) > 0 {
		return 0, fmt.Errorf("subscription error: %s", p.Errors[0].Message)
	}
	n := 0
	for _, c := range p.Data.CompetencyProgressChanged {
		for _, l := range c.Levels {
			for _, o := range l.Options {
				for _, q := range o.Requirements {
					n += q.Current
				}
			}
		}
	}
	return n, nil
}
