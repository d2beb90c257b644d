// The queries Competencies runs as it opens: in the app's first chunk, so the app can
// ask for them alongside the session check (lib/pageData.ts).
import { graphql } from '../../gql';

export const CompetencyProgressFieldsFragment = graphql(`
  fragment CompetencyProgressFields on CompetencyProgress {
    competency {
      id
      key
      name
      description
    }
    status
    offer {
      level
      option
      purchasedAt
      anniversaryAt
    }
    levels {
      level
      attained
      options {
        name
        met
        unmetOn
        requirements {
          id
          key
          description
          kind
          required
          current
          met
          unmetOn
          people {
            id
            name
            email
            learningAccount {
              mcid
            }
          }
          skills {
            id
            number
            title
            type
            retiredOn
            validUntil
            countsNow
          }
          attestation {
            met
            note
            at
            by {
              id
              name
            }
          }
        }
      }
    }
  }
`);

export const CompetencyProgressQuery = graphql(`
  query CompetencyProgress {
    competencyProgress {
      ...CompetencyProgressFields
    }
  }
`);

export const CapabilityScoreFieldsFragment = graphql(`
  fragment CapabilityScoreFields on CapabilityScore {
    key
    name
    description
    maxPoints
    points
    prerequisitesMet
    prerequisites {
      key
      description
      required
      current
      met
      skills
      people {
        id
        name
        email
        learningAccount {
          mcid
        }
      }
    }
    rules {
      key
      description
      tier
      pointsPerPerson
      maxPoints
      current
      points
      skills
      people {
        id
        name
        email
        learningAccount {
          mcid
        }
      }
    }
  }
`);

export const CapabilityScoreQuery = graphql(`
  query CapabilityScore {
    capabilityScore {
      ...CapabilityScoreFields
    }
  }
`);
