/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ProfileUser on User {\n    id\n    email\n    name\n    roles\n    mustChangePassword\n    organization {\n      id\n      mpnId\n      name\n    }\n    learningAccount {\n      mcid\n      email\n      name\n      linkedAt\n    }\n    partnerUniversity {\n      email\n      linkedAt\n      sameCredentialsAvailable\n    }\n    nextAssociationAllowedAt\n    associationsRemaining\n  }\n": typeof types.ProfileUserFragmentDoc,
    "\n  query Me {\n    me {\n      ...ProfileUser\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      expiresAt\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation SignOut {\n    signOut {\n      signedOut\n    }\n  }\n": typeof types.SignOutDocument,
    "\n  mutation AssociateLearningAccount($input: AssociateLearningAccountInput!) {\n    associateLearningAccount(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": typeof types.AssociateLearningAccountDocument,
    "\n  mutation RemoveLearningAccount {\n    removeLearningAccount {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": typeof types.RemoveLearningAccountDocument,
    "\n  mutation AssociatePartnerUniversity($input: AssociatePartnerUniversityInput!) {\n    associatePartnerUniversity(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": typeof types.AssociatePartnerUniversityDocument,
    "\n  mutation RemovePartnerUniversityAccess {\n    removePartnerUniversityAccess {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": typeof types.RemovePartnerUniversityAccessDocument,
};
const documents: Documents = {
    "\n  fragment ProfileUser on User {\n    id\n    email\n    name\n    roles\n    mustChangePassword\n    organization {\n      id\n      mpnId\n      name\n    }\n    learningAccount {\n      mcid\n      email\n      name\n      linkedAt\n    }\n    partnerUniversity {\n      email\n      linkedAt\n      sameCredentialsAvailable\n    }\n    nextAssociationAllowedAt\n    associationsRemaining\n  }\n": types.ProfileUserFragmentDoc,
    "\n  query Me {\n    me {\n      ...ProfileUser\n    }\n  }\n": types.MeDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      expiresAt\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": types.SignInDocument,
    "\n  mutation SignOut {\n    signOut {\n      signedOut\n    }\n  }\n": types.SignOutDocument,
    "\n  mutation AssociateLearningAccount($input: AssociateLearningAccountInput!) {\n    associateLearningAccount(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": types.AssociateLearningAccountDocument,
    "\n  mutation RemoveLearningAccount {\n    removeLearningAccount {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": types.RemoveLearningAccountDocument,
    "\n  mutation AssociatePartnerUniversity($input: AssociatePartnerUniversityInput!) {\n    associatePartnerUniversity(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": types.AssociatePartnerUniversityDocument,
    "\n  mutation RemovePartnerUniversityAccess {\n    removePartnerUniversityAccess {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": types.RemovePartnerUniversityAccessDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProfileUser on User {\n    id\n    email\n    name\n    roles\n    mustChangePassword\n    organization {\n      id\n      mpnId\n      name\n    }\n    learningAccount {\n      mcid\n      email\n      name\n      linkedAt\n    }\n    partnerUniversity {\n      email\n      linkedAt\n      sameCredentialsAvailable\n    }\n    nextAssociationAllowedAt\n    associationsRemaining\n  }\n"): (typeof documents)["\n  fragment ProfileUser on User {\n    id\n    email\n    name\n    roles\n    mustChangePassword\n    organization {\n      id\n      mpnId\n      name\n    }\n    learningAccount {\n      mcid\n      email\n      name\n      linkedAt\n    }\n    partnerUniversity {\n      email\n      linkedAt\n      sameCredentialsAvailable\n    }\n    nextAssociationAllowedAt\n    associationsRemaining\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...ProfileUser\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      ...ProfileUser\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      expiresAt\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      expiresAt\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut {\n    signOut {\n      signedOut\n    }\n  }\n"): (typeof documents)["\n  mutation SignOut {\n    signOut {\n      signedOut\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AssociateLearningAccount($input: AssociateLearningAccountInput!) {\n    associateLearningAccount(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AssociateLearningAccount($input: AssociateLearningAccountInput!) {\n    associateLearningAccount(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveLearningAccount {\n    removeLearningAccount {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveLearningAccount {\n    removeLearningAccount {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AssociatePartnerUniversity($input: AssociatePartnerUniversityInput!) {\n    associatePartnerUniversity(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AssociatePartnerUniversity($input: AssociatePartnerUniversityInput!) {\n    associatePartnerUniversity(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemovePartnerUniversityAccess {\n    removePartnerUniversityAccess {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemovePartnerUniversityAccess {\n    removePartnerUniversityAccess {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;