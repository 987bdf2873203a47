// Example operations preloaded as GraphiQL tabs, one .graphql file each in ./examples (the build
// inlines them as text). tests/api/test_frontend_operations.py validates them against the schema.
import myLastLabResults from "./examples/my-last-lab-results.graphql";
import myMedications from "./examples/my-medications.graphql";
import revokeAnApp from "./examples/revoke-an-app.graphql";
import revokeAnAppVariables from "./examples/revoke-an-app.json";
import whoHasAccess from "./examples/who-has-access.graphql";

export interface Example {
  title: string;
  query: string;
  variables?: string;
}

export const EXAMPLES: Example[] = [
  { title: "My medications", query: myMedications },
  { title: "My last lab results", query: myLastLabResults },
  { title: "Who has access to my record", query: whoHasAccess },
  {
    title: "Revoke an app",
    query: revokeAnApp,
    variables: `${JSON.stringify(revokeAnAppVariables, null, 2)}\n`,
  },
];
