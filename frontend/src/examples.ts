// Example operations preloaded as GraphiQL tabs. The build writes them to operations.json and
// tests/api/test_frontend_operations.py validates them against the schema.

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
          authoredAt
          dosageText
          prescriber { name }
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
          effectiveAt
          valueQuantity { value unit }
          valueCode { display }
          valueText
          referenceRange { low { value unit } high { value unit } }
          interpretation { code display }
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
