package main

import "testing"

// A word that is no flag's value and no command is refused before anything
// starts (review: "certlink help" and "--demo maybe" served on :8080).
func TestServeRefusesStrayArguments(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--demo", "maybe"}, {"--addr", "127.0.0.1:0", "extra"}} {
		if code := serve(args); code != 2 {
			t.Errorf("certlink %v: exit %d, want 2", args, code)
		}
	}
}
