// Every GraphQL operation the account page sends, with the types of what it reads back.
import type { UserError } from "./api";

export interface CategoryRef {
  key: string;
  label: string;
}

export interface GrantedCategory extends CategoryRef {
  explanation: string;
  scope: string;
}

export interface AuthorizedApp {
  grantId: string;
  patientId: string;
  app: {
    id: string;
    clientId: string;
    name: string;
    description: string | null;
    homepageUrl: string | null;
    logoUrl: string | null;
    privacyPolicyUrl: string | null;
    termsUrl: string | null;
  };
  grantedScopes: string[];
  grantedCategories: GrantedCategory[];
  categoriesRead: CategoryRef[];
  offlineAccess: boolean;
  grantedAt: string;
  grantedBy: { accountName: string; relationship: string | null; you: boolean };
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export interface RepresentativeInfo {
  representativeId: string;
  name: string;
  relationship: string;
  patientId: string;
  patientName: string;
}

export const AUTHORIZED_APPS = /* GraphQL */ `
  query AuthorizedApps {
    actingFor { id name }
    representatives { representativeId name relationship patientId patientName }
    authorizedApps {
      grantId
      patientId
      app { id clientId name description homepageUrl logoUrl privacyPolicyUrl termsUrl }
      grantedScopes
      grantedCategories { key label explanation scope }
      categoriesRead { key label }
      offlineAccess
      grantedAt
      grantedBy { accountName relationship you }
      lastUsedAt
      expiresAt
    }
  }
`;

export interface AuthorizedAppsResult {
  actingFor: { id: string; name: string }[] | null;
  representatives: RepresentativeInfo[] | null;
  authorizedApps: AuthorizedApp[];
}

export const END_REPRESENTATION = /* GraphQL */ `
  mutation EndRepresentation($representativeId: ID!, $patientId: ID) {
    endRepresentation(input: { representativeId: $representativeId, patientId: $patientId }) {
      revokedGrants
      userErrors { code field message }
    }
  }
`;

export interface EndRepresentationResult {
  endRepresentation: { revokedGrants: number; userErrors: UserError[] };
}

export const REVOKE_APP = /* GraphQL */ `
  mutation RevokeApp($grantId: ID!) {
    revokeApp(input: { grantId: $grantId }) {
      authorizedApp { grantId }
      userErrors { code field message }
    }
  }
`;

export interface RevokeAppResult {
  revokeApp: { authorizedApp: { grantId: string } | null; userErrors: UserError[] };
}

export const UPDATE_APP_GRANT = /* GraphQL */ `
  mutation UpdateAppGrant($grantId: ID!, $categories: [DataCategory!]!) {
    updateAppGrant(input: { grantId: $grantId, categories: $categories }) {
      authorizedApp { grantId grantedCategories { key label } }
      userErrors { code field message }
    }
  }
`;

export interface UpdateAppGrantResult {
  updateAppGrant: {
    authorizedApp: { grantId: string; grantedCategories: CategoryRef[] } | null;
    userErrors: UserError[];
  };
}

export interface ActingFor {
  id: string;
  name: string;
  relationship: string;
  selected: boolean;
}

export const ACTING_FOR = /* GraphQL */ `
  query ActingFor {
    actingFor { id name relationship selected }
  }
`;

export const SELECT_PATIENT = /* GraphQL */ `
  mutation SelectPatient($patientId: ID!) {
    selectPatient(input: { patientId: $patientId }) {
      patient { id name }
      userErrors { code field message }
    }
  }
`;

export interface SelectPatientResult {
  selectPatient: { patient: { id: string; name: string } | null; userErrors: UserError[] };
}

export interface ActivityEvent {
  id: string;
  occurredAt: string;
  kind: string;
  outcome: string;
  summary: string;
  app: { id: string; name: string } | null;
  categories: { category: string; label: string; count: number }[];
  deniedCategories: CategoryRef[];
}

export interface ActivityPage {
  activityLog: {
    edges: { cursor: string; node: ActivityEvent }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    totalCount: number;
  };
}

export const ACTIVITY_LOG = /* GraphQL */ `
  query ActivityLog($after: String, $appId: ID, $since: DateTime, $until: DateTime) {
    activityLog(first: 20, after: $after, appId: $appId, since: $since, until: $until) {
      edges {
        cursor
        node {
          id
          occurredAt
          kind
          outcome
          summary
          app { id name }
          categories { category label count }
          deniedCategories { key label }
        }
      }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
`;

export interface DataCategoryInfo {
  key: string;
  label: string;
  explanation: string;
}

export const DATA_CATEGORIES = /* GraphQL */ `
  query DataCategories {
    dataCategories { key label explanation }
  }
`;

export const RECORD_BUNDLE = /* GraphQL */ `
  query RecordBundle($categories: [DataCategory!]) {
    recordBundle(categories: $categories)
  }
`;

export interface RecordBundleResult {
  recordBundle: unknown;
}
