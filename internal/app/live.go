package app

import (
	"certlink/internal/capability"
	"certlink/internal/live"
)

// wireLive builds the live hub (B4) and makes every service that changes who
// counts publish to it after its commit: linking, and through it users
// (deletions, removal from the report) and merges, wired later from
// Linking.Changed; ingest; attestations and offers; catalog loads (everyone).
// It also builds the capability score, which reads progress's rule.
func (a *App) wireLive() error {
	hub, err := live.New(a.Config.Broker, a.Config.BrokerTopic, a.Log)
	if err != nil {
		return err
	}
	a.Live = hub
	a.closers = append(a.closers, func() { _ = hub.Close() })
	a.Linking.Changed = hub.Publish
	a.Ingest.Changed = hub.Publish
	a.Progress.Changed = hub.Publish
	a.Catalog.Changed = hub.PublishAll
	a.Capability = &capability.Service{Client: a.DB.Client, Progress: a.Progress}
	return nil
}
