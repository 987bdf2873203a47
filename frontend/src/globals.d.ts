// Declarations esbuild resolves at build time.
declare module "*.css";

// The GraphiQL examples, imported as text (the graphql-text plugin in build.mjs).
declare module "*.graphql" {
  const text: string;
  export default text;
}

// Monaco (inside GraphiQL) asks this global for its workers.
declare var MonacoEnvironment:
  | { getWorker(workerId: string, label: string): Worker }
  | undefined;
