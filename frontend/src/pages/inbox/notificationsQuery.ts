// The query Notifications runs as it opens: in the app's first chunk, so the app can
// ask for it alongside the session check (lib/pageData.ts).
import { graphql } from '../../gql';

export const NotificationsQuery = graphql(`
  query Notifications {
    notifications(first: 50) {
      totalCount
      edges {
        node {
          id
          title
          body
          createdAt
          read
          link
        }
      }
    }
    unreadNotificationCount
  }
`);
