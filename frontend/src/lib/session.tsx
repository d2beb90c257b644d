import { createContext, useContext } from 'react';
import { graphql } from '../gql';
import type { ProfileUserFragment } from '../gql/graphql';

// Everything My profile shows; the shell reads the same query, so it is fetched once.
export const ProfileUserFields = graphql(`
  fragment ProfileUser on User {
    id
    email
    name
    roles
    mustChangePassword
    organization {
      id
      mpnId
      name
    }
    learningAccount {
      mcid
      email
      name
      linkedAt
    }
    partnerUniversity {
      email
      linkedAt
      sameCredentialsAvailable
    }
    nextAssociationAllowedAt
    associationsRemaining
    associatedBefore
    partnerUniversityNextAssociationAllowedAt
    partnerUniversityAssociationsRemaining
    partnerUniversityAssociatedBefore
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      ...ProfileUser
    }
  }
`);

export const SignInMutation = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      expiresAt
      user {
        ...ProfileUser
      }
    }
  }
`);

export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut {
      signedOut
    }
  }
`);

export type Viewer = ProfileUserFragment;

export interface Session {
  viewer: Viewer;
  /** Ends the session; a message saying why not when the server did not take it (still signed in). */
  signOut: () => Promise<string | null>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in shell');
  return session;
}

const ADMIN_ROLES = new Set(['GLOBAL_ADMIN', 'ACCOUNT_ADMIN', 'USER_MANAGEMENT_ADMIN', 'MPN_PARTNER_ADMIN', 'OPERATOR']);

/** Admins of any kind may use the GraphiQL console (SPEC A3). */
export function isAdmin(viewer: Pick<Viewer, 'roles'>): boolean {
  return viewer.roles.some((r) => ADMIN_ROLES.has(r));
}

/** Competencies, progress and the skills report (SPEC C7). */
export function seesCompetencies(viewer: Pick<Viewer, 'roles'>): boolean {
  return viewer.roles.includes('GLOBAL_ADMIN') || viewer.roles.includes('MPN_PARTNER_ADMIN');
}

/** Users page (U1): every organization admin role; MPN partner admins see roles without changing them. */
export function seesUsers(viewer: Pick<Viewer, 'roles'>): boolean {
  return ['GLOBAL_ADMIN', 'ACCOUNT_ADMIN', 'USER_MANAGEMENT_ADMIN', 'MPN_PARTNER_ADMIN'].some((r) => viewer.roles.includes(r as Viewer['roles'][number]));
}

/** API tokens for partner tools (A2) and the organization's audit log (B3): Global admins. */
export function isGlobalAdmin(viewer: Pick<Viewer, 'roles'>): boolean {
  return viewer.roles.includes('GLOBAL_ADMIN');
}
