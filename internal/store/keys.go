package store

import (
	"context"
	"crypto/rand"
	"fmt"

	"certlink/ent"
	"certlink/ent/instancekey"
	"certlink/internal/viewer"
)

// InstanceKey is the installation's secret named name, size bytes: made once,
// at random, by the first process that asks, and read by every later one.
// Processes starting together on an empty database agree on one: the name is
// unique, so the second insert fails and reads the first. (On a Galera
// cluster the loser's insert fails at commit as a deadlock, not a duplicate:
// any failed insert reads again.)
func (d *DB) InstanceKey(ctx context.Context, name string, size int) ([]byte, error) {
	sys := viewer.System(ctx)
	var failed error
	for range 3 {
		k, err := d.Client.InstanceKey.Query().Where(instancekey.Name(name)).Only(sys)
		if err == nil {
			if len(k.Key) != size {
				return nil, fmt.Errorf("the instance key %q has %d bytes, want %d", name, len(k.Key), size)
			}
			return k.Key, nil
		}
		if !ent.IsNotFound(err) {
			return nil, fmt.Errorf("reading the instance key %q: %w", name, err)
		}
		b := make([]byte, size)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		err = d.Client.InstanceKey.Create().SetName(name).SetKey(b).Exec(sys)
		if err == nil {
			return b, nil
		}
		failed = err
	}
	return nil, fmt.Errorf("making the instance key %q: %w", name, failed)
}
