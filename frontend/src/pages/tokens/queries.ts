// The query API tokens runs as it opens: in the app's first chunk, so the app can
// ask for it alongside the session check (lib/pageData.ts).
import { graphql } from '../../gql';

export const ApiTokensQuery = graphql(`
  query ApiTokens {
    apiTokens {
      id
      name
      scopes
      createdAt
      lastUsedAt
      revokedAt
      expiresAt
      createdBy {
        name
      }
    }
  }
`);
