package app_test

import (
	"sync"
	"testing"

	"certlink/internal/support"
	"certlink/internal/testenv"
)

// One person raises at most support.MaxTicketsPerWindow tickets a day, even
// all at once (an outside review: tickets without end, ~320 MB an hour of
// text per account): of 30 raised in parallel exactly 20 are stored, the
// rest refused RATE_LIMITED with the moment of the next.
func TestTicketsPerDayHoldUnderRaces(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		riley := e.Demo("riley@contoso.example")
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			codes = map[string]int{}
		)
		for range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := e.Do(riley, `mutation{createSupportTicket(input:{category:"OTHER",subject:"s",body:"b"}){id}}`, nil).Code()
				mu.Lock()
				codes[c]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[""] != support.MaxTicketsPerWindow || codes["RATE_LIMITED"] != 30-support.MaxTicketsPerWindow {
			t.Fatalf("30 tickets at once: %v; want %d stored, the rest RATE_LIMITED", codes, support.MaxTicketsPerWindow)
		}
		var n int
		if err := e.App.DB.SQL.QueryRow(`SELECT COUNT(*) FROM support_tickets`).Scan(&n); err != nil || n != support.MaxTicketsPerWindow {
			t.Fatalf("%d tickets stored (%v)", n, err)
		}
	})
}
