package live

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/redis/go-redis/v9"
)

// natsBroker is core NATS pub/sub: every subscriber of the subject hears every
// message, the publishing connection's own included.
type natsBroker struct {
	nc    *nats.Conn
	topic string
}

func dialNATS(url, topic string) (Broker, error) {
	nc, err := nats.Connect(url, nats.Name("certlink"), nats.MaxReconnects(-1), nats.ReconnectWait(time.Second))
	if err != nil {
		return nil, fmt.Errorf("connecting to the NATS broker %s: %w", url, err)
	}
	return &natsBroker{nc: nc, topic: topic}, nil
}

func (b *natsBroker) Publish(_ context.Context, msg []byte) error { return b.nc.Publish(b.topic, msg) }

func (b *natsBroker) Listen(ctx context.Context, ready func(error), deliver func([]byte)) error {
	sub, err := b.nc.Subscribe(b.topic, func(m *nats.Msg) { deliver(m.Data) })
	if err == nil {
		// Flush round-trips: the server has the subscription before we say ready.
		err = b.nc.Flush()
	}
	ready(err)
	if err != nil {
		return err
	}
	<-ctx.Done()
	_ = sub.Unsubscribe()
	return nil
}

func (b *natsBroker) Close() error {
	b.nc.Close()
	return nil
}

// redisBroker is Redis pub/sub on one channel.
type redisBroker struct {
	c     *redis.Client
	topic string
}

func dialRedis(url, topic string) (Broker, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("--broker: %w", err)
	}
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("connecting to the Redis broker %s: %w", url, err)
	}
	return &redisBroker{c: c, topic: topic}, nil
}

func (b *redisBroker) Publish(ctx context.Context, msg []byte) error {
	return b.c.Publish(ctx, b.topic, msg).Err()
}

func (b *redisBroker) Listen(ctx context.Context, ready func(error), deliver func([]byte)) error {
	ps := b.c.Subscribe(ctx, b.topic)
	defer ps.Close()
	// The subscription's confirmation: from here on no message is missed.
	_, err := ps.Receive(ctx)
	ready(err)
	if err != nil {
		return err
	}
	ch := ps.Channel()
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-ch:
			if !ok {
				return nil
			}
			deliver([]byte(m.Payload))
		}
	}
}

func (b *redisBroker) Close() error { return b.c.Close() }
