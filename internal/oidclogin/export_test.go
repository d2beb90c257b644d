package oidclogin

import "time"

// SetRetryDiscovery sets how often an unreachable issuer is tried again, and
// returns the previous value.
func SetRetryDiscovery(d time.Duration) time.Duration {
	old := retryDiscovery
	retryDiscovery = d
	return old
}
