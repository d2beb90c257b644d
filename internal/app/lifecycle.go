package app

import (
	"context"
	"fmt"
	"net/http"

	"certlink/internal/apitoken"
	"certlink/internal/designation"
	"certlink/internal/history"
	"certlink/internal/merge"
	"certlink/internal/notify"
	"certlink/internal/oidclogin"
	"certlink/internal/support"
	"certlink/internal/users"
)

// wireLifecycle builds the services of users, leavers, notifications, support,
// merges, history and API tokens, and registers the link observers.
func (a *App) wireLifecycle() error {
	c := a.DB.Client
	var mailer notify.Mailer = notify.DevMailer{Client: c}
	if a.Config.SMTPURL != "" {
		m, err := notify.NewSMTPMailer(a.Config.SMTPURL, a.Config.SMTPFrom)
		if err != nil {
			return err
		}
		mailer = m
	}
	a.Outbox = &notify.Outbox{Client: c, Mailer: mailer, RowLocks: !a.DB.Embedded, Log: a.Log, Lease: a.Config.OutboxLease}
	a.Outbox.Prepare()
	if a.RiskProgress == nil {
		// The competency engine itself: startCompetency ran first (app.New).
		if a.Progress == nil {
			return fmt.Errorf("at-risk detection needs the competency engine: start it first")
		}
		a.RiskProgress = notify.EngineProgress{Engine: a.Progress.Engine}
	}
	alerts := &notify.Alerter{PublicURL: a.Config.PublicURL, Wake: a.Outbox.Wake}
	a.Risk = &notify.Risk{Progress: a.RiskProgress, Alerts: alerts, RowLocks: !a.DB.Embedded}
	// A catalog edit that takes a requirement's tick is told at once (N1).
	a.Catalog.Observers = append(a.Catalog.Observers, a.Risk)
	notices, err := a.Config.RiskNotices()
	if err != nil {
		return err
	}
	a.Periodic = &notify.Periodic{Client: c, Progress: a.RiskProgress, Alerts: alerts,
		Interval: a.Config.RiskCheckInterval, Horizon: a.Config.RiskHorizon, Notices: notices}
	a.Daily = &designation.Daily{Client: c, Alerts: alerts, Notices: notices, RowLocks: !a.DB.Embedded}
	a.Resolver = &notify.Resolver{Client: c, Progress: a.RiskProgress, Alerts: alerts, Log: a.Log}
	a.Resolver.Prepare()

	// History first: it records the cause even when at-risk detection finds nothing.
	a.Linking.Observers = append(a.Linking.Observers, history.LinkObserver{}, a.Risk)
	obs := a.Linking.Observers
	a.Users = &users.Service{Client: c, Accounts: a.Accounts, Observers: obs, PublicURL: a.Config.PublicURL, RowLocks: !a.DB.Embedded,
		Changed: a.Linking.Changed, Wake: a.Outbox.Wake}
	a.Merge = &merge.Service{Client: c, Observers: obs, RowLocks: !a.DB.Embedded, Changed: a.Linking.Changed}
	a.History = &history.Service{Client: c}
	a.Inbox = &notify.Inbox{Client: c}
	a.Support = &support.Service{Client: c}
	a.Tokens = &apitoken.Service{Client: c}
	return nil
}

// wireOIDC discovers the OIDC issuers that are configured: work-account
// sign-in (L1) and the certification directory (L3).
// ssoCallbackPoints is what a single sign-on callback that reaches the
// issuer's token endpoint costs its caller: 100 an hour from one address at
// the default --rate-limit, far more than a person signs in, far fewer than
// junk codes would need to make the issuer throttle certlink (review).
const ssoCallbackPoints = 50

func (a *App) chargeSSOCallback(r *http.Request) error { return a.chargeCaller(r, ssoCallbackPoints) }

func (a *App) wireOIDC(ctx context.Context) error {
	if a.Config.DirectoryOIDCIssuer != "" {
		d, err := oidclogin.NewDirectory(ctx, oidclogin.Config{
			Issuer: a.Config.DirectoryOIDCIssuer, ClientID: a.Config.DirectoryOIDCClientID,
			ClientSecret: a.Config.DirectoryOIDCClientSecret,
			RedirectURL:  a.Config.PublicURL + "/auth/directory/callback",
			Charge:       a.chargeSSOCallback,
		}, a.DB.Client, a.Linking, nil)
		if err != nil {
			return err
		}
		a.DirectoryOIDC = d
	}
	if a.Config.OIDCIssuer == "" {
		return nil
	}
	s, err := oidclogin.New(ctx, oidclogin.Config{
		Issuer: a.Config.OIDCIssuer, ClientID: a.Config.OIDCClientID, ClientSecret: a.Config.OIDCClientSecret,
		RedirectURL: a.Config.PublicURL + "/auth/oidc/callback",
		Charge:      a.chargeSSOCallback,
	}, a.DB.Client, a.Accounts, nil)
	if err != nil {
		return err
	}
	a.OIDC = s
	a.Users.SSOInvites = true
	return nil
}

// startLifecycle runs the mail worker and the periodic risk check until ctx
// ends; Close waits for them.
func (a *App) startLifecycle(ctx context.Context) {
	for _, run := range []func(){
		func() { a.Outbox.Run(ctx, a.Config.OutboxInterval) },
		func() { a.Periodic.Run(ctx, func(err error) { a.Log.Error("risk check", "err", fmt.Sprint(err)) }) },
		func() { a.Resolver.Run(ctx, a.Config.RiskCheckInterval) },
		func() {
			a.Daily.Run(ctx, a.Config.RiskCheckInterval, func(err error) { a.Log.Error("designation record", "err", fmt.Sprint(err)) })
		},
	} {
		a.workers.Go(run)
	}
}
