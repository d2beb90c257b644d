package graph_test

import (
	"sync"
	"testing"

	"certlink/internal/testenv"
)

// TestTicketRetryRaisesNothingNew: a ticket sent again with its clientKey,
// after an answer that never arrived, answers the ticket the first try
// raised; the same key with another ticket is CONFLICT; racing tries raise
// one. A review's retry after a lost answer raised a second, identical
// ticket.
func TestTicketRetryRaisesNothingNew(t *testing.T) {
	testenv.Each(t, func(t *testing.T, d testenv.Dialect) {
		e := testenv.Start(t, d)
		riley := e.Demo("riley@contoso.example")
		const create = `mutation($k:String,$s:String!){createSupportTicket(input:{category:"OTHER",subject:$s,body:"It broke.",clientKey:$k}){id}}`
		raise := func(key any, subject string) *testenv.Response {
			return e.Do(riley, create, map[string]any{"k": key, "s": subject})
		}
		ids := make([]string, 6)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				var out struct{ CreateSupportTicket struct{ ID string } }
				r := raise("6f1c2b0e-retry", "Lost answer")
				if len(r.Errors) > 0 {
					t.Errorf("try %d: %+v", i, r.Errors)
					return
				}
				r.Decode(t, &out)
				ids[i] = out.CreateSupportTicket.ID
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("tries with one key answered different tickets: %v", ids)
			}
		}
		count := func() int {
			var out struct{ SupportTickets struct{ TotalCount int } }
			must(t, e, riley, `{supportTickets(first:50){totalCount}}`, nil, &out)
			return out.SupportTickets.TotalCount
		}
		if n := count(); n != 1 {
			t.Fatalf("riley has %d tickets after one ticket's six tries", n)
		}
		if r := raise("6f1c2b0e-retry", "Another problem"); r.Code() != "CONFLICT" {
			t.Fatalf("the key with another ticket: %s %+v", r.Code(), r.Errors)
		}
		for _, bad := range []string{"", "has space", "é", string(make([]byte, 65))} {
			if r := raise(bad, "Bad key"); r.Code() != "INVALID_INPUT" {
				t.Fatalf("clientKey %q: %s %+v", bad, r.Code(), r.Errors)
			}
		}
		// Without a key every ticket is new, as before.
		raise(nil, "Keyless")
		raise(nil, "Keyless")
		if n := count(); n != 3 {
			t.Fatalf("riley has %d tickets, want 3 (the keyed one, two keyless)", n)
		}
	})
}
