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
    "\n  fragment CompetencyProgressFields on CompetencyProgress {\n    competency {\n      id\n      key\n      name\n      description\n    }\n    status\n    offer {\n      level\n      option\n      purchasedAt\n      anniversaryAt\n    }\n    levels {\n      level\n      attained\n      options {\n        name\n        met\n        unmetOn\n        requirements {\n          id\n          key\n          description\n          kind\n          required\n          current\n          met\n          unmetOn\n          people {\n            id\n            name\n            email\n          }\n          skills {\n            id\n            number\n            title\n            type\n            retiredOn\n            validUntil\n          }\n          attestation {\n            met\n            note\n            at\n            by {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.CompetencyProgressFieldsFragmentDoc,
    "\n  query CompetencyProgress {\n    competencyProgress {\n      ...CompetencyProgressFields\n    }\n  }\n": typeof types.CompetencyProgressDocument,
    "\n  mutation PurchaseCompetencyOffer($input: PurchaseCompetencyOfferInput!) {\n    purchaseCompetencyOffer(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n": typeof types.PurchaseCompetencyOfferDocument,
    "\n  mutation SetAttestation($input: SetAttestationInput!) {\n    setAttestation(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n": typeof types.SetAttestationDocument,
    "\n  query SkillsReport($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          name\n          email\n          mcid\n          skillType\n          skillNumber\n          title\n          completedAt\n          expiresAt\n          competencies\n          associatedInPC\n          source\n          recognizedAt\n          needsAssociation\n        }\n      }\n    }\n  }\n": typeof types.SkillsReportDocument,
    "\n  query CompetencyNames {\n    competencyProgress {\n      competency {\n        id\n        key\n        name\n      }\n    }\n  }\n": typeof types.CompetencyNamesDocument,
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
    "\n  fragment CompetencyProgressFields on CompetencyProgress {\n    competency {\n      id\n      key\n      name\n      description\n    }\n    status\n    offer {\n      level\n      option\n      purchasedAt\n      anniversaryAt\n    }\n    levels {\n      level\n      attained\n      options {\n        name\n        met\n        unmetOn\n        requirements {\n          id\n          key\n          description\n          kind\n          required\n          current\n          met\n          unmetOn\n          people {\n            id\n            name\n            email\n          }\n          skills {\n            id\n            number\n            title\n            type\n            retiredOn\n            validUntil\n          }\n          attestation {\n            met\n            note\n            at\n            by {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": types.CompetencyProgressFieldsFragmentDoc,
    "\n  query CompetencyProgress {\n    competencyProgress {\n      ...CompetencyProgressFields\n    }\n  }\n": types.CompetencyProgressDocument,
    "\n  mutation PurchaseCompetencyOffer($input: PurchaseCompetencyOfferInput!) {\n    purchaseCompetencyOffer(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n": types.PurchaseCompetencyOfferDocument,
    "\n  mutation SetAttestation($input: SetAttestationInput!) {\n    setAttestation(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n": types.SetAttestationDocument,
    "\n  query SkillsReport($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          name\n          email\n          mcid\n          skillType\n          skillNumber\n          title\n          completedAt\n          expiresAt\n          competencies\n          associatedInPC\n          source\n          recognizedAt\n          needsAssociation\n        }\n      }\n    }\n  }\n": types.SkillsReportDocument,
    "\n  query CompetencyNames {\n    competencyProgress {\n      competency {\n        id\n        key\n        name\n      }\n    }\n  }\n": types.CompetencyNamesDocument,
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
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CompetencyProgressFields on CompetencyProgress {\n    competency {\n      id\n      key\n      name\n      description\n    }\n    status\n    offer {\n      level\n      option\n      purchasedAt\n      anniversaryAt\n    }\n    levels {\n      level\n      attained\n      options {\n        name\n        met\n        unmetOn\n        requirements {\n          id\n          key\n          description\n          kind\n          required\n          current\n          met\n          unmetOn\n          people {\n            id\n            name\n            email\n          }\n          skills {\n            id\n            number\n            title\n            type\n            retiredOn\n            validUntil\n          }\n          attestation {\n            met\n            note\n            at\n            by {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment CompetencyProgressFields on CompetencyProgress {\n    competency {\n      id\n      key\n      name\n      description\n    }\n    status\n    offer {\n      level\n      option\n      purchasedAt\n      anniversaryAt\n    }\n    levels {\n      level\n      attained\n      options {\n        name\n        met\n        unmetOn\n        requirements {\n          id\n          key\n          description\n          kind\n          required\n          current\n          met\n          unmetOn\n          people {\n            id\n            name\n            email\n          }\n          skills {\n            id\n            number\n            title\n            type\n            retiredOn\n            validUntil\n          }\n          attestation {\n            met\n            note\n            at\n            by {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompetencyProgress {\n    competencyProgress {\n      ...CompetencyProgressFields\n    }\n  }\n"): (typeof documents)["\n  query CompetencyProgress {\n    competencyProgress {\n      ...CompetencyProgressFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PurchaseCompetencyOffer($input: PurchaseCompetencyOfferInput!) {\n    purchaseCompetencyOffer(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n"): (typeof documents)["\n  mutation PurchaseCompetencyOffer($input: PurchaseCompetencyOfferInput!) {\n    purchaseCompetencyOffer(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetAttestation($input: SetAttestationInput!) {\n    setAttestation(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetAttestation($input: SetAttestationInput!) {\n    setAttestation(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SkillsReport($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          name\n          email\n          mcid\n          skillType\n          skillNumber\n          title\n          completedAt\n          expiresAt\n          competencies\n          associatedInPC\n          source\n          recognizedAt\n          needsAssociation\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SkillsReport($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          name\n          email\n          mcid\n          skillType\n          skillNumber\n          title\n          completedAt\n          expiresAt\n          competencies\n          associatedInPC\n          source\n          recognizedAt\n          needsAssociation\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompetencyNames {\n    competencyProgress {\n      competency {\n        id\n        key\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query CompetencyNames {\n    competencyProgress {\n      competency {\n        id\n        key\n        name\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;