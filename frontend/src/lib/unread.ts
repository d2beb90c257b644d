import { graphql } from '../gql';

// The navigation's unread badge reads this on every page; the Notifications page
// refreshes it after marking messages read. Here rather than in that page so the
// shell does not load the page's code.
export const UnreadCountQuery = graphql(`
  query UnreadNotificationCount {
    unreadNotificationCount
  }
`);
