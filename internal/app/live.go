package app

import (
	"context"
	"encoding/hex"

	"certlink/internal/capability"
	"certlink/internal/designation"
	"certlink/internal/live"
)

// wireLive builds the live hub (B4) and makes every service that changes who
// counts publish to it after its commit: linking, and through it users
// (deletions, removal from the report) and merges, wired later from
// Linking.Changed; ingest; attestations and offers; catalog loads (everyone).
// It also builds the capability score, which reads progress's rule.
func (a *App) wireLive() error {
	// Installations sharing a broker hear only their own events.
	install, err := a.DB.InstanceKey(context.Background(), "live installation", 16)
	if err != nil {
		return err
	}
	hub, err := live.New(a.Config.Broker, a.Config.BrokerTopic, hex.EncodeToString(install), a.Log)
	if err != nil {
		return err
	}
	a.Live = hub
	if a.Config.Broker == "" && !a.DB.Embedded {
		// A shared database means several processes may serve: without a
		// broker each one's subscribers hear only its own changes.
		a.Log.Warn("no --broker: live updates (subscriptions) reach only the clients of this process; when several certlink processes share this database, set --broker=nats://… or redis://… so a change through one reaches subscribers of all")
	}
	a.closers = append(a.closers, func() { _ = hub.Close() })
	// Every change also asks the risk follow-up (N1) whether an announced
	// risk resolved; the resolver is built later (wireLifecycle).
	// And it tells the risk check (N1) that the next moment time alone makes
	// someone stop counting may have come nearer (Periodic.Changed).
	publish := func(orgIDs ...int) {
		hub.Publish(orgIDs...)
		if a.Resolver != nil {
			a.Resolver.Changed(orgIDs...)
		}
		if a.Periodic != nil {
			a.Periodic.Changed(orgIDs...)
		}
	}
	a.Linking.Changed = publish
	a.Ingest.Changed = publish
	a.Progress.Changed = publish
	a.Catalog.Changed = func() {
		hub.PublishAll()
		if a.Resolver != nil {
			a.Resolver.ChangedAll()
		}
		if a.Periodic != nil {
			a.Periodic.ChangedAll()
		}
	}
	a.Capability = &capability.Service{Client: a.DB.Client, Progress: a.Progress}
	a.Designations = &designation.Service{Client: a.DB.Client, Progress: a.Progress}
	a.MetricIngest = &designation.Ingest{Client: a.DB.Client, Changed: publish}
	return nil
}
