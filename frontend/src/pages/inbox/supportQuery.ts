// The query Support runs as it opens: in the app's first chunk, so the app can
// ask for it alongside the session check (lib/pageData.ts).
import { graphql } from '../../gql';

export const TicketFieldsFragment = graphql(`
  fragment TicketFields on SupportTicket {
    id
    category
    subject
    body
    status
    createdAt
    author {
      name
      email
    }
    replies {
      id
      body
      createdAt
      fromStaff
      author {
        name
        email
      }
    }
  }
`);

export const SupportTicketsQuery = graphql(`
  query SupportTickets {
    supportTickets(first: 50) {
      totalCount
      edges {
        node {
          ...TicketFields
        }
      }
    }
  }
`);
