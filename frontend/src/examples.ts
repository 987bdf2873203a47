// Example operations preloaded as GraphiQL tabs. Field shapes follow DESIGN.md's contract;
// adjust them here when the schema changes.

export interface Example {
  title: string;
  query: string;
  variables?: string;
}

export const EXAMPLES: Example[] = [
  {
    title: "My medications",
    query: `# Medicines prescribed to you, newest first.
query MyMedications {
  patient {
    name { given family }
    birthDate
    medications(first: 10) {
      totalCount
      edges {
        node {
          code { system code display }
          status
          authoredOn
          dosage
        }
      }
    }
  }
}
`,
  },
  {
    title: "My last lab results",
    query: `# Your five most recent laboratory results.
query MyLastLabResults {
  patient {
    labResults(first: 5) {
      edges {
        node {
          code { code display }
          value {
            __typename
            ... on Quantity { value unit }
            ... on CodedValue { code display }
          }
          effectiveAt
          interpretation
        }
      }
    }
  }
}
`,
  },
  {
    title: "Who has access to my record",
    query: `# Apps you authorized, what they may read and what they have read.
query WhoHasAccess {
  authorizedApps {
    grantId
    app { name homepageUrl }
    grantedCategories { label }
    categoriesRead { label }
    grantedAt
    lastUsedAt
    expiresAt
  }
}
`,
  },
  {
    title: "Revoke an app",
    query: `# Stops an app's access at once. Put a grantId from "Who has access" in the variables.
mutation RevokeAnApp($grantId: ID!) {
  revokeApp(input: { grantId: $grantId }) {
    authorizedApp { grantId }
    userErrors { code field message }
  }
}
`,
    variables: `{
  "grantId": ""
}
`,
  },
];
