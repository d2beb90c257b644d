// Package live tells subscribers that an organization's progress changed
// (B4). Services call Hub.Publish after the commit that changed who counts;
// GraphQL subscriptions Subscribe per organization. In-process by default;
// with a broker (NATS or Redis pub/sub) every certlink process publishes to the
// broker and hears every process's changes from it, its own included.
package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"
)

// Event is what travels: the organizations whose progress changed, or All
// (a catalog load changes everyone's).
type Event struct {
	Orgs []int `json:"orgs,omitempty"`
	All  bool  `json:"all,omitempty"`
	// Sessions: sign-ins that may have ended or changed (tokens revoked,
	// accounts deleted, roles, organization or password changed). Open
	// websockets of these tokens and accounts check their sign-in again.
	Sessions *Sessions `json:"sessions,omitempty"`
	// Install names the installation (database) the event is about: its
	// organization and account ids mean nothing to another one that shares
	// the broker, which ignores it (review: two installations on one NATS
	// woke each other's subscribers, whose ids coincide).
	Install string `json:"install,omitempty"`
}

// Sessions names the tokens and accounts whose sign-ins changed.
type Sessions struct {
	Tokens []int `json:"tokens,omitempty"`
	Users  []int `json:"users,omitempty"`
}

// Broker carries events between processes.
type Broker interface {
	// Publish sends one message to every process, this one included.
	Publish(ctx context.Context, msg []byte) error
	// Listen subscribes, calls ready once the subscription is in place, then
	// calls deliver for every message until ctx ends.
	Listen(ctx context.Context, ready func(error), deliver func([]byte)) error
	Close() error
}

// DefaultTopic is the NATS subject / Redis channel events travel on.
const DefaultTopic = "certlink.progress"

// Hub fans change events out to subscribers.
type Hub struct {
	broker  Broker
	install string
	log     *slog.Logger
	out     chan Event
	stop    context.CancelFunc
	done    sync.WaitGroup

	mu       sync.Mutex
	subs     map[int]map[chan struct{}]struct{}
	sessions []func(Sessions)
}

// New returns a hub. brokerURL "" keeps events in this process;
// nats://host:4222 or redis://host:6379[/db] uses that broker on topic. It
// returns once the hub listens to the broker. install names this
// installation: the hub hears only its own installation's events on the
// broker (and those naming none, from older processes).
func New(brokerURL, topic, install string, log *slog.Logger) (*Hub, error) {
	if topic == "" {
		topic = DefaultTopic
	}
	if log == nil {
		log = slog.Default()
	}
	h := &Hub{log: log, install: install, subs: map[int]map[chan struct{}]struct{}{}}
	if brokerURL == "" {
		return h, nil
	}
	u, err := url.Parse(brokerURL)
	if err != nil {
		return nil, fmt.Errorf("--broker: %w", err)
	}
	switch u.Scheme {
	case "nats", "tls":
		h.broker, err = dialNATS(brokerURL, topic)
	case "redis", "rediss":
		h.broker, err = dialRedis(brokerURL, topic)
	default:
		return nil, fmt.Errorf("--broker: want nats://host:4222 or redis://host:6379, got %q", brokerURL)
	}
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	h.out = make(chan Event, 1024)
	ready := make(chan error, 1)
	h.done.Add(2)
	go func() {
		defer h.done.Done()
		err := h.broker.Listen(ctx, func(err error) { ready <- err }, func(msg []byte) {
			var ev Event
			if err := json.Unmarshal(msg, &ev); err != nil {
				h.log.Warn("live: unreadable event", "err", err)
				return
			}
			if ev.Install != "" && ev.Install != h.install {
				return // another installation's, on the same broker and topic
			}
			h.deliver(ev)
		})
		if err != nil && ctx.Err() == nil {
			h.log.Error("live: broker listener stopped", "err", err)
		}
	}()
	go func() {
		defer h.done.Done()
		h.send(ctx)
	}()
	select {
	case err = <-ready:
	case <-time.After(10 * time.Second):
		err = fmt.Errorf("the broker did not confirm the subscription within 10s")
	}
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("subscribing to %s on the broker: %w", topic, err)
	}
	return h, nil
}

// Publish announces, after a commit, that the organizations' progress changed.
// No organization: nothing changed (an idempotent re-link). It never blocks
// the caller.
func (h *Hub) Publish(orgIDs ...int) {
	if len(orgIDs) > 0 {
		h.publish(Event{Orgs: orgIDs})
	}
}

// PublishSessions announces, after a commit, that these tokens' and
// accounts' sign-ins may have ended or changed.
func (h *Hub) PublishSessions(tokens, users []int) {
	if len(tokens)+len(users) == 0 {
		return
	}
	ev := Event{Sessions: &Sessions{Tokens: tokens, Users: users}}
	if h.broker != nil {
		// This process's sockets hear it at once, whatever the broker does
		// (its echo makes them check once more, which is harmless).
		h.deliver(ev)
	}
	h.publish(ev)
}

// OnSessions calls f for every PublishSessions of any process sharing the
// broker. f must not block.
func (h *Hub) OnSessions(f func(Sessions)) {
	h.mu.Lock()
	h.sessions = append(h.sessions, f)
	h.mu.Unlock()
}

// PublishAll announces that every organization's progress may have changed
// (a catalog load).
func (h *Hub) PublishAll() { h.publish(Event{All: true}) }

func (h *Hub) publish(ev Event) {
	if h.broker == nil {
		h.deliver(ev)
		return
	}
	select {
	case h.out <- ev:
	default:
		// The broker is far behind: subscribers miss one refresh, nothing else.
		h.log.Warn("live: dropping a change event, the broker is not keeping up")
	}
}

func (h *Hub) send(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-h.out:
			ev.Install = h.install
			msg, _ := json.Marshal(ev)
			pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			if err := h.broker.Publish(pctx, msg); err != nil && ctx.Err() == nil {
				h.log.Error("live: publishing a change", "err", err)
			}
			cancel()
		}
	}
}

// deliver wakes the subscribers of the event's organizations. A subscriber's
// channel holds one pending wake-up: a burst of changes is one refresh.
func (h *Hub) deliver(ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ev.Sessions != nil {
		for _, f := range h.sessions {
			f(*ev.Sessions)
		}
	}
	wake := func(set map[chan struct{}]struct{}) {
		for ch := range set {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
	if ev.All {
		for _, set := range h.subs {
			wake(set)
		}
		return
	}
	for _, org := range ev.Orgs {
		wake(h.subs[org])
	}
}

// Subscribe returns a channel woken after each change of orgID's progress, and
// the function that ends the subscription.
func (h *Hub) Subscribe(orgID int) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs[orgID] == nil {
		h.subs[orgID] = map[chan struct{}]struct{}{}
	}
	h.subs[orgID][ch] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs[orgID], ch)
			if len(h.subs[orgID]) == 0 {
				delete(h.subs, orgID)
			}
			h.mu.Unlock()
		})
	}
}

// Subscribers counts the open subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, set := range h.subs {
		n += len(set)
	}
	return n
}

// Close stops the broker connection.
func (h *Hub) Close() error {
	if h.broker == nil {
		return nil
	}
	h.stop()
	err := h.broker.Close()
	h.done.Wait()
	return err
}
