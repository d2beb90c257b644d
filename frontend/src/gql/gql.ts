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
    "\n  query LinkEndingImpact($user: ID, $kind: LinkKind) {\n    linkEndingImpact(user: $user, kind: $kind) {\n      countsTowards\n      lossCount\n      detailsVisible\n      losses {\n        competency {\n          id\n          key\n          name\n        }\n        level\n        option\n        requirement\n        required\n        current\n        after\n        optionLost\n      }\n    }\n  }\n": typeof types.LinkEndingImpactDocument,
    "\n  fragment ProfileUser on User {\n    id\n    email\n    name\n    roles\n    mustChangePassword\n    organization {\n      id\n      mpnId\n      name\n    }\n    learningAccount {\n      mcid\n      email\n      name\n      linkedAt\n    }\n    partnerUniversity {\n      email\n      linkedAt\n      sameCredentialsAvailable\n    }\n    nextAssociationAllowedAt\n    associationsRemaining\n    associatedBefore\n    partnerUniversityNextAssociationAllowedAt\n    partnerUniversityAssociationsRemaining\n    partnerUniversityAssociatedBefore\n  }\n": typeof types.ProfileUserFragmentDoc,
    "\n  query Me {\n    me {\n      ...ProfileUser\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      expiresAt\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation SignOut {\n    signOut {\n      signedOut\n    }\n  }\n": typeof types.SignOutDocument,
    "\n  query UnreadNotificationCount {\n    unreadNotificationCount\n  }\n": typeof types.UnreadNotificationCountDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation AssociateLearningAccount($input: AssociateLearningAccountInput!) {\n    associateLearningAccount(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": typeof types.AssociateLearningAccountDocument,
    "\n  mutation PreviewAssociation($input: PreviewAssociationInput!) {\n    previewAssociation(input: $input) {\n      kind\n      mcid\n      name\n      alreadyYours\n      moves\n      movesFromOrganization\n      alsoEnds\n      alsoEndsInOrganization\n      replaceFirst\n      allowed\n      nextAssociationAllowedAt\n      limitMessage\n      associationsRemaining\n      usesQuota\n      nextAfterThisAt\n    }\n  }\n": typeof types.PreviewAssociationDocument,
    "\n  query OwnLinkHistory($mcid: String!) {\n    linkHistory(mcid: $mcid) {\n      id\n      at\n      action\n      actionLabel\n      actor {\n        name\n        email\n        outside\n      }\n      user {\n        email\n      }\n    }\n  }\n": typeof types.OwnLinkHistoryDocument,
    "\n  mutation RemoveLearningAccount {\n    removeLearningAccount {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": typeof types.RemoveLearningAccountDocument,
    "\n  mutation AssociatePartnerUniversity(\n    $input: AssociatePartnerUniversityInput!\n  ) {\n    associatePartnerUniversity(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": typeof types.AssociatePartnerUniversityDocument,
    "\n  mutation RemovePartnerUniversityAccess {\n    removePartnerUniversityAccess {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": typeof types.RemovePartnerUniversityAccessDocument,
    "\n  query AuditLog($first: Int!, $after: Cursor, $where: AuditLogWhere) {\n    auditLog(first: $first, after: $after, where: $where) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          action\n          actionLabel\n          mcid\n          linkKind\n          detail\n          actor {\n            name\n            email\n            deleted\n            outside\n          }\n          user {\n            name\n            email\n            deleted\n            outside\n          }\n        }\n      }\n    }\n    auditActions {\n      action\n      label\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  subscription CompetencyProgressLive {\n    competencyProgressChanged {\n      ...CompetencyProgressFields\n    }\n  }\n": typeof types.CompetencyProgressLiveDocument,
    "\n  subscription CapabilityScoreLive {\n    capabilityScoreChanged {\n      ...CapabilityScoreFields\n    }\n  }\n": typeof types.CapabilityScoreLiveDocument,
    "\n  query WhatIf($input: WhatIfInput!) {\n    simulateProgress(input: $input) {\n      ...CompetencyProgressFields\n    }\n    simulateCapabilityScore(input: $input) {\n      ...CapabilityScoreFields\n    }\n  }\n": typeof types.WhatIfDocument,
    "\n  mutation PurchaseCompetencyOffer($input: PurchaseCompetencyOfferInput!) {\n    purchaseCompetencyOffer(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n": typeof types.PurchaseCompetencyOfferDocument,
    "\n  mutation SetAttestation($input: SetAttestationInput!) {\n    setAttestation(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n": typeof types.SetAttestationDocument,
    "\n  query Forecast($until: Time) {\n    forecast(until: $until) {\n      at\n      until\n      requirements {\n        competency {\n          id\n          name\n        }\n        level\n        option\n        requirement {\n          id\n          description\n          required\n          current\n          met\n        }\n        unmetOn\n        carriers {\n          user {\n            id\n            name\n            email\n          }\n          skillNumber\n          until\n          ends\n        }\n        changes {\n          at\n          count\n          met\n          stopCounting {\n            user {\n              id\n              name\n              email\n            }\n            skillNumber\n            until\n            ends\n          }\n        }\n      }\n    }\n  }\n": typeof types.ForecastDocument,
    "\n  fragment CompetencyProgressFields on CompetencyProgress {\n    competency {\n      id\n      key\n      name\n      description\n    }\n    status\n    offer {\n      level\n      option\n      purchasedAt\n      anniversaryAt\n    }\n    levels {\n      level\n      attained\n      options {\n        name\n        met\n        unmetOn\n        requirements {\n          id\n          key\n          description\n          kind\n          required\n          current\n          met\n          unmetOn\n          people {\n            id\n            name\n            email\n            learningAccount {\n              mcid\n            }\n          }\n          skills {\n            id\n            number\n            title\n            type\n            retiredOn\n            validUntil\n            countsNow\n          }\n          attestation {\n            met\n            note\n            at\n            by {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.CompetencyProgressFieldsFragmentDoc,
    "\n  query CompetencyProgress {\n    competencyProgress {\n      ...CompetencyProgressFields\n    }\n  }\n": typeof types.CompetencyProgressDocument,
    "\n  fragment CapabilityScoreFields on CapabilityScore {\n    key\n    name\n    description\n    maxPoints\n    points\n    prerequisitesMet\n    prerequisites {\n      key\n      description\n      required\n      current\n      met\n      skills\n      people {\n        id\n        name\n        email\n        learningAccount {\n          mcid\n        }\n      }\n    }\n    rules {\n      key\n      description\n      tier\n      pointsPerPerson\n      maxPoints\n      current\n      points\n      skills\n      people {\n        id\n        name\n        email\n        learningAccount {\n          mcid\n        }\n      }\n    }\n  }\n": typeof types.CapabilityScoreFieldsFragmentDoc,
    "\n  query CapabilityScore {\n    capabilityScore {\n      ...CapabilityScoreFields\n    }\n  }\n": typeof types.CapabilityScoreDocument,
    "\n  subscription SolutionAreasLive {\n    solutionAreasChanged {\n      ...SolutionAreaFields\n    }\n  }\n": typeof types.SolutionAreasLiveDocument,
    "\n  query SolutionAreasWhatIf($input: SolutionAreasWhatIfInput!) {\n    simulateSolutionAreas(input: $input) {\n      ...SolutionAreaFields\n    }\n  }\n": typeof types.SolutionAreasWhatIfDocument,
    "\n  fragment SolutionAreaFields on SolutionArea {\n    key\n    name\n    description\n    intermediateSkills\n    advancedSkills\n    score\n    qualified\n    reason\n    explanation\n    dropsOn\n    dropReason\n    bestTrack {\n      key\n      name\n    }\n    tracks {\n      key\n      name\n      score\n      qualified\n      explanation\n      categories {\n        category\n        maxPoints\n        points\n        metrics {\n          key\n          name\n          source\n          unit\n          weight\n          value\n          threshold\n          points\n          missing\n          month\n          people {\n            id\n            name\n            email\n            learningAccount {\n              mcid\n            }\n          }\n        }\n      }\n    }\n    window {\n      opensOn\n      closesOn\n      qualifiedDays\n      holds\n      lastQualifiedOn\n      holdsUntil\n      days {\n        day\n        qualified\n        score\n        live\n      }\n    }\n  }\n": typeof types.SolutionAreaFieldsFragmentDoc,
    "\n  query SolutionAreas {\n    solutionAreas {\n      ...SolutionAreaFields\n    }\n  }\n": typeof types.SolutionAreasDocument,
    "\n  query DevMailbox {\n    devMailbox(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          to\n          subject\n          body\n          createdAt\n        }\n      }\n    }\n  }\n": typeof types.DevMailboxDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids) {\n      marked\n    }\n  }\n": typeof types.MarkNotificationsReadDocument,
    "\n  mutation CreateSupportTicket($input: CreateSupportTicketInput!) {\n    createSupportTicket(input: $input) {\n      ...TicketFields\n    }\n  }\n": typeof types.CreateSupportTicketDocument,
    "\n  mutation ReplyToSupportTicket($input: ReplyToSupportTicketInput!) {\n    replyToSupportTicket(input: $input) {\n      ...TicketFields\n    }\n  }\n": typeof types.ReplyToSupportTicketDocument,
    "\n  mutation CloseSupportTicket($id: ID!) {\n    closeSupportTicket(id: $id) {\n      ...TicketFields\n    }\n  }\n": typeof types.CloseSupportTicketDocument,
    "\n  query SupportTicket($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on SupportTicket {\n        ...TicketFields\n      }\n    }\n  }\n": typeof types.SupportTicketDocument,
    "\n  query Notifications {\n    notifications(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          body\n          createdAt\n          read\n          link\n        }\n      }\n    }\n    unreadNotificationCount\n  }\n": typeof types.NotificationsDocument,
    "\n  fragment TicketFields on SupportTicket {\n    id\n    category\n    subject\n    body\n    status\n    createdAt\n    author {\n      name\n      email\n    }\n    replies {\n      id\n      body\n      createdAt\n      fromStaff\n      author {\n        name\n        email\n      }\n    }\n  }\n": typeof types.TicketFieldsFragmentDoc,
    "\n  query SupportTickets {\n    supportTickets(first: 50) {\n      totalCount\n      edges {\n        node {\n          ...TicketFields\n        }\n      }\n    }\n  }\n": typeof types.SupportTicketsDocument,
    "\n  query SkillsReport($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          name\n          email\n          mcid\n          linkKind\n          skillType\n          skillNumber\n          title\n          completedAt\n          expiresAt\n          competencies\n          associatedInPC\n          source\n          sourceLabel\n          recognizedAt\n          needsAssociation\n          counting\n          countsUntil\n          retiredOn\n          userId\n        }\n      }\n    }\n  }\n": typeof types.SkillsReportDocument,
    "\n  query SkillsReportPages($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.SkillsReportPagesDocument,
    "\n  mutation RemindToAssociate($mcid: String!) {\n    remindToAssociate(mcid: $mcid) {\n      mcid\n      sentTo\n    }\n  }\n": typeof types.RemindToAssociateDocument,
    "\n  mutation RemoveLegacyRecognition($mcid: String!) {\n    removeLegacyRecognition(mcid: $mcid) {\n      mcid\n    }\n  }\n": typeof types.RemoveLegacyRecognitionDocument,
    "\n  query CompetencyNames {\n    competencyProgress {\n      competency {\n        id\n        key\n        name\n      }\n    }\n  }\n": typeof types.CompetencyNamesDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        expiresAt\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.RevokeApiTokenDocument,
    "\n  query ApiTokens {\n    apiTokens {\n      id\n      name\n      scopes\n      createdAt\n      lastUsedAt\n      revokedAt\n      expiresAt\n      createdBy {\n        name\n      }\n    }\n  }\n": typeof types.ApiTokensDocument,
    "\n  query Users($first: Int!, $after: Cursor, $where: UserWhereInput) {\n    users(first: $first, after: $after, where: $where, orderBy: { field: NAME, direction: ASC }) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          email\n          name\n          roles\n          mustChangePassword\n          createdAt\n          learningAccount {\n            mcid\n          }\n          partnerUniversity {\n            email\n          }\n        }\n      }\n    }\n  }\n": typeof types.UsersDocument,
    "\n  query UserAssociationLimits($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on User {\n        id\n        learningAccount {\n          mcid\n        }\n        partnerUniversity {\n          email\n        }\n        nextAssociationAllowedAt\n        associationsRemaining\n        partnerUniversityNextAssociationAllowedAt\n        partnerUniversityAssociationsRemaining\n      }\n    }\n  }\n": typeof types.UserAssociationLimitsDocument,
    "\n  mutation InviteUser($input: InviteUserInput!) {\n    inviteUser(input: $input) {\n      temporaryPassword\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n": typeof types.InviteUserDocument,
    "\n  mutation ResendInvite($id: ID!) {\n    resendInvite(id: $id) {\n      temporaryPassword\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n": typeof types.ResendInviteDocument,
    "\n  mutation UpdateUser($input: UpdateUserInput!) {\n    updateUser(input: $input) {\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n": typeof types.UpdateUserDocument,
    "\n  mutation AssignRoles($input: AssignRolesInput!) {\n    assignRoles(input: $input) {\n      user {\n        id\n        roles\n      }\n    }\n  }\n": typeof types.AssignRolesDocument,
    "\n  mutation DeleteUser($id: ID!) {\n    deleteUser(id: $id) {\n      deletedUserId\n    }\n  }\n": typeof types.DeleteUserDocument,
    "\n  mutation RemoveFromReport($userId: ID!) {\n    removeFromReport(userId: $userId) {\n      userId\n    }\n  }\n": typeof types.RemoveFromReportDocument,
};
const documents: Documents = {
    "\n  query LinkEndingImpact($user: ID, $kind: LinkKind) {\n    linkEndingImpact(user: $user, kind: $kind) {\n      countsTowards\n      lossCount\n      detailsVisible\n      losses {\n        competency {\n          id\n          key\n          name\n        }\n        level\n        option\n        requirement\n        required\n        current\n        after\n        optionLost\n      }\n    }\n  }\n": types.LinkEndingImpactDocument,
    "\n  fragment ProfileUser on User {\n    id\n    email\n    name\n    roles\n    mustChangePassword\n    organization {\n      id\n      mpnId\n      name\n    }\n    learningAccount {\n      mcid\n      email\n      name\n      linkedAt\n    }\n    partnerUniversity {\n      email\n      linkedAt\n      sameCredentialsAvailable\n    }\n    nextAssociationAllowedAt\n    associationsRemaining\n    associatedBefore\n    partnerUniversityNextAssociationAllowedAt\n    partnerUniversityAssociationsRemaining\n    partnerUniversityAssociatedBefore\n  }\n": types.ProfileUserFragmentDoc,
    "\n  query Me {\n    me {\n      ...ProfileUser\n    }\n  }\n": types.MeDocument,
    "\n  mutation SignIn($input: SignInInput!) {\n    signIn(input: $input) {\n      expiresAt\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": types.SignInDocument,
    "\n  mutation SignOut {\n    signOut {\n      signedOut\n    }\n  }\n": types.SignOutDocument,
    "\n  query UnreadNotificationCount {\n    unreadNotificationCount\n  }\n": types.UnreadNotificationCountDocument,
    "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": types.ChangePasswordDocument,
    "\n  mutation AssociateLearningAccount($input: AssociateLearningAccountInput!) {\n    associateLearningAccount(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": types.AssociateLearningAccountDocument,
    "\n  mutation PreviewAssociation($input: PreviewAssociationInput!) {\n    previewAssociation(input: $input) {\n      kind\n      mcid\n      name\n      alreadyYours\n      moves\n      movesFromOrganization\n      alsoEnds\n      alsoEndsInOrganization\n      replaceFirst\n      allowed\n      nextAssociationAllowedAt\n      limitMessage\n      associationsRemaining\n      usesQuota\n      nextAfterThisAt\n    }\n  }\n": types.PreviewAssociationDocument,
    "\n  query OwnLinkHistory($mcid: String!) {\n    linkHistory(mcid: $mcid) {\n      id\n      at\n      action\n      actionLabel\n      actor {\n        name\n        email\n        outside\n      }\n      user {\n        email\n      }\n    }\n  }\n": types.OwnLinkHistoryDocument,
    "\n  mutation RemoveLearningAccount {\n    removeLearningAccount {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": types.RemoveLearningAccountDocument,
    "\n  mutation AssociatePartnerUniversity(\n    $input: AssociatePartnerUniversityInput!\n  ) {\n    associatePartnerUniversity(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": types.AssociatePartnerUniversityDocument,
    "\n  mutation RemovePartnerUniversityAccess {\n    removePartnerUniversityAccess {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n": types.RemovePartnerUniversityAccessDocument,
    "\n  query AuditLog($first: Int!, $after: Cursor, $where: AuditLogWhere) {\n    auditLog(first: $first, after: $after, where: $where) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          action\n          actionLabel\n          mcid\n          linkKind\n          detail\n          actor {\n            name\n            email\n            deleted\n            outside\n          }\n          user {\n            name\n            email\n            deleted\n            outside\n          }\n        }\n      }\n    }\n    auditActions {\n      action\n      label\n    }\n  }\n": types.AuditLogDocument,
    "\n  subscription CompetencyProgressLive {\n    competencyProgressChanged {\n      ...CompetencyProgressFields\n    }\n  }\n": types.CompetencyProgressLiveDocument,
    "\n  subscription CapabilityScoreLive {\n    capabilityScoreChanged {\n      ...CapabilityScoreFields\n    }\n  }\n": types.CapabilityScoreLiveDocument,
    "\n  query WhatIf($input: WhatIfInput!) {\n    simulateProgress(input: $input) {\n      ...CompetencyProgressFields\n    }\n    simulateCapabilityScore(input: $input) {\n      ...CapabilityScoreFields\n    }\n  }\n": types.WhatIfDocument,
    "\n  mutation PurchaseCompetencyOffer($input: PurchaseCompetencyOfferInput!) {\n    purchaseCompetencyOffer(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n": types.PurchaseCompetencyOfferDocument,
    "\n  mutation SetAttestation($input: SetAttestationInput!) {\n    setAttestation(input: $input) {\n      ...CompetencyProgressFields\n    }\n  }\n": types.SetAttestationDocument,
    "\n  query Forecast($until: Time) {\n    forecast(until: $until) {\n      at\n      until\n      requirements {\n        competency {\n          id\n          name\n        }\n        level\n        option\n        requirement {\n          id\n          description\n          required\n          current\n          met\n        }\n        unmetOn\n        carriers {\n          user {\n            id\n            name\n            email\n          }\n          skillNumber\n          until\n          ends\n        }\n        changes {\n          at\n          count\n          met\n          stopCounting {\n            user {\n              id\n              name\n              email\n            }\n            skillNumber\n            until\n            ends\n          }\n        }\n      }\n    }\n  }\n": types.ForecastDocument,
    "\n  fragment CompetencyProgressFields on CompetencyProgress {\n    competency {\n      id\n      key\n      name\n      description\n    }\n    status\n    offer {\n      level\n      option\n      purchasedAt\n      anniversaryAt\n    }\n    levels {\n      level\n      attained\n      options {\n        name\n        met\n        unmetOn\n        requirements {\n          id\n          key\n          description\n          kind\n          required\n          current\n          met\n          unmetOn\n          people {\n            id\n            name\n            email\n            learningAccount {\n              mcid\n            }\n          }\n          skills {\n            id\n            number\n            title\n            type\n            retiredOn\n            validUntil\n            countsNow\n          }\n          attestation {\n            met\n            note\n            at\n            by {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": types.CompetencyProgressFieldsFragmentDoc,
    "\n  query CompetencyProgress {\n    competencyProgress {\n      ...CompetencyProgressFields\n    }\n  }\n": types.CompetencyProgressDocument,
    "\n  fragment CapabilityScoreFields on CapabilityScore {\n    key\n    name\n    description\n    maxPoints\n    points\n    prerequisitesMet\n    prerequisites {\n      key\n      description\n      required\n      current\n      met\n      skills\n      people {\n        id\n        name\n        email\n        learningAccount {\n          mcid\n        }\n      }\n    }\n    rules {\n      key\n      description\n      tier\n      pointsPerPerson\n      maxPoints\n      current\n      points\n      skills\n      people {\n        id\n        name\n        email\n        learningAccount {\n          mcid\n        }\n      }\n    }\n  }\n": types.CapabilityScoreFieldsFragmentDoc,
    "\n  query CapabilityScore {\n    capabilityScore {\n      ...CapabilityScoreFields\n    }\n  }\n": types.CapabilityScoreDocument,
    "\n  subscription SolutionAreasLive {\n    solutionAreasChanged {\n      ...SolutionAreaFields\n    }\n  }\n": types.SolutionAreasLiveDocument,
    "\n  query SolutionAreasWhatIf($input: SolutionAreasWhatIfInput!) {\n    simulateSolutionAreas(input: $input) {\n      ...SolutionAreaFields\n    }\n  }\n": types.SolutionAreasWhatIfDocument,
    "\n  fragment SolutionAreaFields on SolutionArea {\n    key\n    name\n    description\n    intermediateSkills\n    advancedSkills\n    score\n    qualified\n    reason\n    explanation\n    dropsOn\n    dropReason\n    bestTrack {\n      key\n      name\n    }\n    tracks {\n      key\n      name\n      score\n      qualified\n      explanation\n      categories {\n        category\n        maxPoints\n        points\n        metrics {\n          key\n          name\n          source\n          unit\n          weight\n          value\n          threshold\n          points\n          missing\n          month\n          people {\n            id\n            name\n            email\n            learningAccount {\n              mcid\n            }\n          }\n        }\n      }\n    }\n    window {\n      opensOn\n      closesOn\n      qualifiedDays\n      holds\n      lastQualifiedOn\n      holdsUntil\n      days {\n        day\n        qualified\n        score\n        live\n      }\n    }\n  }\n": types.SolutionAreaFieldsFragmentDoc,
    "\n  query SolutionAreas {\n    solutionAreas {\n      ...SolutionAreaFields\n    }\n  }\n": types.SolutionAreasDocument,
    "\n  query DevMailbox {\n    devMailbox(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          to\n          subject\n          body\n          createdAt\n        }\n      }\n    }\n  }\n": types.DevMailboxDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids) {\n      marked\n    }\n  }\n": types.MarkNotificationsReadDocument,
    "\n  mutation CreateSupportTicket($input: CreateSupportTicketInput!) {\n    createSupportTicket(input: $input) {\n      ...TicketFields\n    }\n  }\n": types.CreateSupportTicketDocument,
    "\n  mutation ReplyToSupportTicket($input: ReplyToSupportTicketInput!) {\n    replyToSupportTicket(input: $input) {\n      ...TicketFields\n    }\n  }\n": types.ReplyToSupportTicketDocument,
    "\n  mutation CloseSupportTicket($id: ID!) {\n    closeSupportTicket(id: $id) {\n      ...TicketFields\n    }\n  }\n": types.CloseSupportTicketDocument,
    "\n  query SupportTicket($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on SupportTicket {\n        ...TicketFields\n      }\n    }\n  }\n": types.SupportTicketDocument,
    "\n  query Notifications {\n    notifications(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          body\n          createdAt\n          read\n          link\n        }\n      }\n    }\n    unreadNotificationCount\n  }\n": types.NotificationsDocument,
    "\n  fragment TicketFields on SupportTicket {\n    id\n    category\n    subject\n    body\n    status\n    createdAt\n    author {\n      name\n      email\n    }\n    replies {\n      id\n      body\n      createdAt\n      fromStaff\n      author {\n        name\n        email\n      }\n    }\n  }\n": types.TicketFieldsFragmentDoc,
    "\n  query SupportTickets {\n    supportTickets(first: 50) {\n      totalCount\n      edges {\n        node {\n          ...TicketFields\n        }\n      }\n    }\n  }\n": types.SupportTicketsDocument,
    "\n  query SkillsReport($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          name\n          email\n          mcid\n          linkKind\n          skillType\n          skillNumber\n          title\n          completedAt\n          expiresAt\n          competencies\n          associatedInPC\n          source\n          sourceLabel\n          recognizedAt\n          needsAssociation\n          counting\n          countsUntil\n          retiredOn\n          userId\n        }\n      }\n    }\n  }\n": types.SkillsReportDocument,
    "\n  query SkillsReportPages($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.SkillsReportPagesDocument,
    "\n  mutation RemindToAssociate($mcid: String!) {\n    remindToAssociate(mcid: $mcid) {\n      mcid\n      sentTo\n    }\n  }\n": types.RemindToAssociateDocument,
    "\n  mutation RemoveLegacyRecognition($mcid: String!) {\n    removeLegacyRecognition(mcid: $mcid) {\n      mcid\n    }\n  }\n": types.RemoveLegacyRecognitionDocument,
    "\n  query CompetencyNames {\n    competencyProgress {\n      competency {\n        id\n        key\n        name\n      }\n    }\n  }\n": types.CompetencyNamesDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        expiresAt\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.RevokeApiTokenDocument,
    "\n  query ApiTokens {\n    apiTokens {\n      id\n      name\n      scopes\n      createdAt\n      lastUsedAt\n      revokedAt\n      expiresAt\n      createdBy {\n        name\n      }\n    }\n  }\n": types.ApiTokensDocument,
    "\n  query Users($first: Int!, $after: Cursor, $where: UserWhereInput) {\n    users(first: $first, after: $after, where: $where, orderBy: { field: NAME, direction: ASC }) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          email\n          name\n          roles\n          mustChangePassword\n          createdAt\n          learningAccount {\n            mcid\n          }\n          partnerUniversity {\n            email\n          }\n        }\n      }\n    }\n  }\n": types.UsersDocument,
    "\n  query UserAssociationLimits($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on User {\n        id\n        learningAccount {\n          mcid\n        }\n        partnerUniversity {\n          email\n        }\n        nextAssociationAllowedAt\n        associationsRemaining\n        partnerUniversityNextAssociationAllowedAt\n        partnerUniversityAssociationsRemaining\n      }\n    }\n  }\n": types.UserAssociationLimitsDocument,
    "\n  mutation InviteUser($input: InviteUserInput!) {\n    inviteUser(input: $input) {\n      temporaryPassword\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n": types.InviteUserDocument,
    "\n  mutation ResendInvite($id: ID!) {\n    resendInvite(id: $id) {\n      temporaryPassword\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n": types.ResendInviteDocument,
    "\n  mutation UpdateUser($input: UpdateUserInput!) {\n    updateUser(input: $input) {\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n": types.UpdateUserDocument,
    "\n  mutation AssignRoles($input: AssignRolesInput!) {\n    assignRoles(input: $input) {\n      user {\n        id\n        roles\n      }\n    }\n  }\n": types.AssignRolesDocument,
    "\n  mutation DeleteUser($id: ID!) {\n    deleteUser(id: $id) {\n      deletedUserId\n    }\n  }\n": types.DeleteUserDocument,
    "\n  mutation RemoveFromReport($userId: ID!) {\n    removeFromReport(userId: $userId) {\n      userId\n    }\n  }\n": types.RemoveFromReportDocument,
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
export function graphql(source: "\n  query LinkEndingImpact($user: ID, $kind: LinkKind) {\n    linkEndingImpact(user: $user, kind: $kind) {\n      countsTowards\n      lossCount\n      detailsVisible\n      losses {\n        competency {\n          id\n          key\n          name\n        }\n        level\n        option\n        requirement\n        required\n        current\n        after\n        optionLost\n      }\n    }\n  }\n"): (typeof documents)["\n  query LinkEndingImpact($user: ID, $kind: LinkKind) {\n    linkEndingImpact(user: $user, kind: $kind) {\n      countsTowards\n      lossCount\n      detailsVisible\n      losses {\n        competency {\n          id\n          key\n          name\n        }\n        level\n        option\n        requirement\n        required\n        current\n        after\n        optionLost\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProfileUser on User {\n    id\n    email\n    name\n    roles\n    mustChangePassword\n    organization {\n      id\n      mpnId\n      name\n    }\n    learningAccount {\n      mcid\n      email\n      name\n      linkedAt\n    }\n    partnerUniversity {\n      email\n      linkedAt\n      sameCredentialsAvailable\n    }\n    nextAssociationAllowedAt\n    associationsRemaining\n    associatedBefore\n    partnerUniversityNextAssociationAllowedAt\n    partnerUniversityAssociationsRemaining\n    partnerUniversityAssociatedBefore\n  }\n"): (typeof documents)["\n  fragment ProfileUser on User {\n    id\n    email\n    name\n    roles\n    mustChangePassword\n    organization {\n      id\n      mpnId\n      name\n    }\n    learningAccount {\n      mcid\n      email\n      name\n      linkedAt\n    }\n    partnerUniversity {\n      email\n      linkedAt\n      sameCredentialsAvailable\n    }\n    nextAssociationAllowedAt\n    associationsRemaining\n    associatedBefore\n    partnerUniversityNextAssociationAllowedAt\n    partnerUniversityAssociationsRemaining\n    partnerUniversityAssociatedBefore\n  }\n"];
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
export function graphql(source: "\n  query UnreadNotificationCount {\n    unreadNotificationCount\n  }\n"): (typeof documents)["\n  query UnreadNotificationCount {\n    unreadNotificationCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($input: ChangePasswordInput!) {\n    changePassword(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AssociateLearningAccount($input: AssociateLearningAccountInput!) {\n    associateLearningAccount(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AssociateLearningAccount($input: AssociateLearningAccountInput!) {\n    associateLearningAccount(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PreviewAssociation($input: PreviewAssociationInput!) {\n    previewAssociation(input: $input) {\n      kind\n      mcid\n      name\n      alreadyYours\n      moves\n      movesFromOrganization\n      alsoEnds\n      alsoEndsInOrganization\n      replaceFirst\n      allowed\n      nextAssociationAllowedAt\n      limitMessage\n      associationsRemaining\n      usesQuota\n      nextAfterThisAt\n    }\n  }\n"): (typeof documents)["\n  mutation PreviewAssociation($input: PreviewAssociationInput!) {\n    previewAssociation(input: $input) {\n      kind\n      mcid\n      name\n      alreadyYours\n      moves\n      movesFromOrganization\n      alsoEnds\n      alsoEndsInOrganization\n      replaceFirst\n      allowed\n      nextAssociationAllowedAt\n      limitMessage\n      associationsRemaining\n      usesQuota\n      nextAfterThisAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OwnLinkHistory($mcid: String!) {\n    linkHistory(mcid: $mcid) {\n      id\n      at\n      action\n      actionLabel\n      actor {\n        name\n        email\n        outside\n      }\n      user {\n        email\n      }\n    }\n  }\n"): (typeof documents)["\n  query OwnLinkHistory($mcid: String!) {\n    linkHistory(mcid: $mcid) {\n      id\n      at\n      action\n      actionLabel\n      actor {\n        name\n        email\n        outside\n      }\n      user {\n        email\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveLearningAccount {\n    removeLearningAccount {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveLearningAccount {\n    removeLearningAccount {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AssociatePartnerUniversity(\n    $input: AssociatePartnerUniversityInput!\n  ) {\n    associatePartnerUniversity(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AssociatePartnerUniversity(\n    $input: AssociatePartnerUniversityInput!\n  ) {\n    associatePartnerUniversity(input: $input) {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemovePartnerUniversityAccess {\n    removePartnerUniversityAccess {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemovePartnerUniversityAccess {\n    removePartnerUniversityAccess {\n      user {\n        ...ProfileUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($first: Int!, $after: Cursor, $where: AuditLogWhere) {\n    auditLog(first: $first, after: $after, where: $where) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          action\n          actionLabel\n          mcid\n          linkKind\n          detail\n          actor {\n            name\n            email\n            deleted\n            outside\n          }\n          user {\n            name\n            email\n            deleted\n            outside\n          }\n        }\n      }\n    }\n    auditActions {\n      action\n      label\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($first: Int!, $after: Cursor, $where: AuditLogWhere) {\n    auditLog(first: $first, after: $after, where: $where) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          at\n          action\n          actionLabel\n          mcid\n          linkKind\n          detail\n          actor {\n            name\n            email\n            deleted\n            outside\n          }\n          user {\n            name\n            email\n            deleted\n            outside\n          }\n        }\n      }\n    }\n    auditActions {\n      action\n      label\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CompetencyProgressLive {\n    competencyProgressChanged {\n      ...CompetencyProgressFields\n    }\n  }\n"): (typeof documents)["\n  subscription CompetencyProgressLive {\n    competencyProgressChanged {\n      ...CompetencyProgressFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CapabilityScoreLive {\n    capabilityScoreChanged {\n      ...CapabilityScoreFields\n    }\n  }\n"): (typeof documents)["\n  subscription CapabilityScoreLive {\n    capabilityScoreChanged {\n      ...CapabilityScoreFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WhatIf($input: WhatIfInput!) {\n    simulateProgress(input: $input) {\n      ...CompetencyProgressFields\n    }\n    simulateCapabilityScore(input: $input) {\n      ...CapabilityScoreFields\n    }\n  }\n"): (typeof documents)["\n  query WhatIf($input: WhatIfInput!) {\n    simulateProgress(input: $input) {\n      ...CompetencyProgressFields\n    }\n    simulateCapabilityScore(input: $input) {\n      ...CapabilityScoreFields\n    }\n  }\n"];
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
export function graphql(source: "\n  query Forecast($until: Time) {\n    forecast(until: $until) {\n      at\n      until\n      requirements {\n        competency {\n          id\n          name\n        }\n        level\n        option\n        requirement {\n          id\n          description\n          required\n          current\n          met\n        }\n        unmetOn\n        carriers {\n          user {\n            id\n            name\n            email\n          }\n          skillNumber\n          until\n          ends\n        }\n        changes {\n          at\n          count\n          met\n          stopCounting {\n            user {\n              id\n              name\n              email\n            }\n            skillNumber\n            until\n            ends\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Forecast($until: Time) {\n    forecast(until: $until) {\n      at\n      until\n      requirements {\n        competency {\n          id\n          name\n        }\n        level\n        option\n        requirement {\n          id\n          description\n          required\n          current\n          met\n        }\n        unmetOn\n        carriers {\n          user {\n            id\n            name\n            email\n          }\n          skillNumber\n          until\n          ends\n        }\n        changes {\n          at\n          count\n          met\n          stopCounting {\n            user {\n              id\n              name\n              email\n            }\n            skillNumber\n            until\n            ends\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CompetencyProgressFields on CompetencyProgress {\n    competency {\n      id\n      key\n      name\n      description\n    }\n    status\n    offer {\n      level\n      option\n      purchasedAt\n      anniversaryAt\n    }\n    levels {\n      level\n      attained\n      options {\n        name\n        met\n        unmetOn\n        requirements {\n          id\n          key\n          description\n          kind\n          required\n          current\n          met\n          unmetOn\n          people {\n            id\n            name\n            email\n            learningAccount {\n              mcid\n            }\n          }\n          skills {\n            id\n            number\n            title\n            type\n            retiredOn\n            validUntil\n            countsNow\n          }\n          attestation {\n            met\n            note\n            at\n            by {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment CompetencyProgressFields on CompetencyProgress {\n    competency {\n      id\n      key\n      name\n      description\n    }\n    status\n    offer {\n      level\n      option\n      purchasedAt\n      anniversaryAt\n    }\n    levels {\n      level\n      attained\n      options {\n        name\n        met\n        unmetOn\n        requirements {\n          id\n          key\n          description\n          kind\n          required\n          current\n          met\n          unmetOn\n          people {\n            id\n            name\n            email\n            learningAccount {\n              mcid\n            }\n          }\n          skills {\n            id\n            number\n            title\n            type\n            retiredOn\n            validUntil\n            countsNow\n          }\n          attestation {\n            met\n            note\n            at\n            by {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompetencyProgress {\n    competencyProgress {\n      ...CompetencyProgressFields\n    }\n  }\n"): (typeof documents)["\n  query CompetencyProgress {\n    competencyProgress {\n      ...CompetencyProgressFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CapabilityScoreFields on CapabilityScore {\n    key\n    name\n    description\n    maxPoints\n    points\n    prerequisitesMet\n    prerequisites {\n      key\n      description\n      required\n      current\n      met\n      skills\n      people {\n        id\n        name\n        email\n        learningAccount {\n          mcid\n        }\n      }\n    }\n    rules {\n      key\n      description\n      tier\n      pointsPerPerson\n      maxPoints\n      current\n      points\n      skills\n      people {\n        id\n        name\n        email\n        learningAccount {\n          mcid\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment CapabilityScoreFields on CapabilityScore {\n    key\n    name\n    description\n    maxPoints\n    points\n    prerequisitesMet\n    prerequisites {\n      key\n      description\n      required\n      current\n      met\n      skills\n      people {\n        id\n        name\n        email\n        learningAccount {\n          mcid\n        }\n      }\n    }\n    rules {\n      key\n      description\n      tier\n      pointsPerPerson\n      maxPoints\n      current\n      points\n      skills\n      people {\n        id\n        name\n        email\n        learningAccount {\n          mcid\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CapabilityScore {\n    capabilityScore {\n      ...CapabilityScoreFields\n    }\n  }\n"): (typeof documents)["\n  query CapabilityScore {\n    capabilityScore {\n      ...CapabilityScoreFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SolutionAreasLive {\n    solutionAreasChanged {\n      ...SolutionAreaFields\n    }\n  }\n"): (typeof documents)["\n  subscription SolutionAreasLive {\n    solutionAreasChanged {\n      ...SolutionAreaFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SolutionAreasWhatIf($input: SolutionAreasWhatIfInput!) {\n    simulateSolutionAreas(input: $input) {\n      ...SolutionAreaFields\n    }\n  }\n"): (typeof documents)["\n  query SolutionAreasWhatIf($input: SolutionAreasWhatIfInput!) {\n    simulateSolutionAreas(input: $input) {\n      ...SolutionAreaFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SolutionAreaFields on SolutionArea {\n    key\n    name\n    description\n    intermediateSkills\n    advancedSkills\n    score\n    qualified\n    reason\n    explanation\n    dropsOn\n    dropReason\n    bestTrack {\n      key\n      name\n    }\n    tracks {\n      key\n      name\n      score\n      qualified\n      explanation\n      categories {\n        category\n        maxPoints\n        points\n        metrics {\n          key\n          name\n          source\n          unit\n          weight\n          value\n          threshold\n          points\n          missing\n          month\n          people {\n            id\n            name\n            email\n            learningAccount {\n              mcid\n            }\n          }\n        }\n      }\n    }\n    window {\n      opensOn\n      closesOn\n      qualifiedDays\n      holds\n      lastQualifiedOn\n      holdsUntil\n      days {\n        day\n        qualified\n        score\n        live\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment SolutionAreaFields on SolutionArea {\n    key\n    name\n    description\n    intermediateSkills\n    advancedSkills\n    score\n    qualified\n    reason\n    explanation\n    dropsOn\n    dropReason\n    bestTrack {\n      key\n      name\n    }\n    tracks {\n      key\n      name\n      score\n      qualified\n      explanation\n      categories {\n        category\n        maxPoints\n        points\n        metrics {\n          key\n          name\n          source\n          unit\n          weight\n          value\n          threshold\n          points\n          missing\n          month\n          people {\n            id\n            name\n            email\n            learningAccount {\n              mcid\n            }\n          }\n        }\n      }\n    }\n    window {\n      opensOn\n      closesOn\n      qualifiedDays\n      holds\n      lastQualifiedOn\n      holdsUntil\n      days {\n        day\n        qualified\n        score\n        live\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SolutionAreas {\n    solutionAreas {\n      ...SolutionAreaFields\n    }\n  }\n"): (typeof documents)["\n  query SolutionAreas {\n    solutionAreas {\n      ...SolutionAreaFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DevMailbox {\n    devMailbox(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          to\n          subject\n          body\n          createdAt\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query DevMailbox {\n    devMailbox(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          to\n          subject\n          body\n          createdAt\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids) {\n      marked\n    }\n  }\n"): (typeof documents)["\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids) {\n      marked\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSupportTicket($input: CreateSupportTicketInput!) {\n    createSupportTicket(input: $input) {\n      ...TicketFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateSupportTicket($input: CreateSupportTicketInput!) {\n    createSupportTicket(input: $input) {\n      ...TicketFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReplyToSupportTicket($input: ReplyToSupportTicketInput!) {\n    replyToSupportTicket(input: $input) {\n      ...TicketFields\n    }\n  }\n"): (typeof documents)["\n  mutation ReplyToSupportTicket($input: ReplyToSupportTicketInput!) {\n    replyToSupportTicket(input: $input) {\n      ...TicketFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CloseSupportTicket($id: ID!) {\n    closeSupportTicket(id: $id) {\n      ...TicketFields\n    }\n  }\n"): (typeof documents)["\n  mutation CloseSupportTicket($id: ID!) {\n    closeSupportTicket(id: $id) {\n      ...TicketFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SupportTicket($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on SupportTicket {\n        ...TicketFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query SupportTicket($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on SupportTicket {\n        ...TicketFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Notifications {\n    notifications(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          body\n          createdAt\n          read\n          link\n        }\n      }\n    }\n    unreadNotificationCount\n  }\n"): (typeof documents)["\n  query Notifications {\n    notifications(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          title\n          body\n          createdAt\n          read\n          link\n        }\n      }\n    }\n    unreadNotificationCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TicketFields on SupportTicket {\n    id\n    category\n    subject\n    body\n    status\n    createdAt\n    author {\n      name\n      email\n    }\n    replies {\n      id\n      body\n      createdAt\n      fromStaff\n      author {\n        name\n        email\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment TicketFields on SupportTicket {\n    id\n    category\n    subject\n    body\n    status\n    createdAt\n    author {\n      name\n      email\n    }\n    replies {\n      id\n      body\n      createdAt\n      fromStaff\n      author {\n        name\n        email\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SupportTickets {\n    supportTickets(first: 50) {\n      totalCount\n      edges {\n        node {\n          ...TicketFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SupportTickets {\n    supportTickets(first: 50) {\n      totalCount\n      edges {\n        node {\n          ...TicketFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SkillsReport($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          name\n          email\n          mcid\n          linkKind\n          skillType\n          skillNumber\n          title\n          completedAt\n          expiresAt\n          competencies\n          associatedInPC\n          source\n          sourceLabel\n          recognizedAt\n          needsAssociation\n          counting\n          countsUntil\n          retiredOn\n          userId\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SkillsReport($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          name\n          email\n          mcid\n          linkKind\n          skillType\n          skillNumber\n          title\n          completedAt\n          expiresAt\n          competencies\n          associatedInPC\n          source\n          sourceLabel\n          recognizedAt\n          needsAssociation\n          counting\n          countsUntil\n          retiredOn\n          userId\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SkillsReportPages($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query SkillsReportPages($first: Int!, $after: Cursor, $where: SkillsReportWhere, $orderBy: SkillsReportOrder) {\n    skillsReport(first: $first, after: $after, where: $where, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemindToAssociate($mcid: String!) {\n    remindToAssociate(mcid: $mcid) {\n      mcid\n      sentTo\n    }\n  }\n"): (typeof documents)["\n  mutation RemindToAssociate($mcid: String!) {\n    remindToAssociate(mcid: $mcid) {\n      mcid\n      sentTo\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveLegacyRecognition($mcid: String!) {\n    removeLegacyRecognition(mcid: $mcid) {\n      mcid\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveLegacyRecognition($mcid: String!) {\n    removeLegacyRecognition(mcid: $mcid) {\n      mcid\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompetencyNames {\n    competencyProgress {\n      competency {\n        id\n        key\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query CompetencyNames {\n    competencyProgress {\n      competency {\n        id\n        key\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        expiresAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      secret\n      token {\n        id\n        name\n        expiresAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiTokens {\n    apiTokens {\n      id\n      name\n      scopes\n      createdAt\n      lastUsedAt\n      revokedAt\n      expiresAt\n      createdBy {\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query ApiTokens {\n    apiTokens {\n      id\n      name\n      scopes\n      createdAt\n      lastUsedAt\n      revokedAt\n      expiresAt\n      createdBy {\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users($first: Int!, $after: Cursor, $where: UserWhereInput) {\n    users(first: $first, after: $after, where: $where, orderBy: { field: NAME, direction: ASC }) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          email\n          name\n          roles\n          mustChangePassword\n          createdAt\n          learningAccount {\n            mcid\n          }\n          partnerUniversity {\n            email\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Users($first: Int!, $after: Cursor, $where: UserWhereInput) {\n    users(first: $first, after: $after, where: $where, orderBy: { field: NAME, direction: ASC }) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          email\n          name\n          roles\n          mustChangePassword\n          createdAt\n          learningAccount {\n            mcid\n          }\n          partnerUniversity {\n            email\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserAssociationLimits($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on User {\n        id\n        learningAccount {\n          mcid\n        }\n        partnerUniversity {\n          email\n        }\n        nextAssociationAllowedAt\n        associationsRemaining\n        partnerUniversityNextAssociationAllowedAt\n        partnerUniversityAssociationsRemaining\n      }\n    }\n  }\n"): (typeof documents)["\n  query UserAssociationLimits($id: ID!) {\n    node(id: $id) {\n      __typename\n      ... on User {\n        id\n        learningAccount {\n          mcid\n        }\n        partnerUniversity {\n          email\n        }\n        nextAssociationAllowedAt\n        associationsRemaining\n        partnerUniversityNextAssociationAllowedAt\n        partnerUniversityAssociationsRemaining\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteUser($input: InviteUserInput!) {\n    inviteUser(input: $input) {\n      temporaryPassword\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation InviteUser($input: InviteUserInput!) {\n    inviteUser(input: $input) {\n      temporaryPassword\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResendInvite($id: ID!) {\n    resendInvite(id: $id) {\n      temporaryPassword\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ResendInvite($id: ID!) {\n    resendInvite(id: $id) {\n      temporaryPassword\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateUser($input: UpdateUserInput!) {\n    updateUser(input: $input) {\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateUser($input: UpdateUserInput!) {\n    updateUser(input: $input) {\n      user {\n        id\n        email\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AssignRoles($input: AssignRolesInput!) {\n    assignRoles(input: $input) {\n      user {\n        id\n        roles\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AssignRoles($input: AssignRolesInput!) {\n    assignRoles(input: $input) {\n      user {\n        id\n        roles\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteUser($id: ID!) {\n    deleteUser(id: $id) {\n      deletedUserId\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteUser($id: ID!) {\n    deleteUser(id: $id) {\n      deletedUserId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveFromReport($userId: ID!) {\n    removeFromReport(userId: $userId) {\n      userId\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveFromReport($userId: ID!) {\n    removeFromReport(userId: $userId) {\n      userId\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;