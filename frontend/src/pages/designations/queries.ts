// The query Designations runs as it opens: in the app's first chunk, so the app can
// ask for it alongside the session check (lib/pageData.ts).
import { graphql } from '../../gql';

export const SolutionAreaFields = graphql(`
  fragment SolutionAreaFields on SolutionArea {
    key
    name
    description
    intermediateSkills
    advancedSkills
    score
    qualified
    reason
    explanation
    dropsOn
    dropReason
    bestTrack {
      key
      name
    }
    tracks {
      key
      name
      score
      qualified
      explanation
      categories {
        category
        maxPoints
        points
        metrics {
          key
          name
          source
          unit
          weight
          value
          threshold
          points
          missing
          month
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
    }
    window {
      opensOn
      closesOn
      qualifiedDays
      holds
      lastQualifiedOn
      holdsUntil
      days {
        day
        qualified
        score
        live
      }
    }
  }
`);

export const SolutionAreasQuery = graphql(`
  query SolutionAreas {
    solutionAreas {
      ...SolutionAreaFields
    }
  }
`);
