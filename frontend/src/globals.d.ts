// Declarations esbuild resolves at build time.
declare module "*.css";

// Monaco (inside GraphiQL) asks this global for its workers.
declare var MonacoEnvironment:
  | { getWorker(workerId: string, label: string): Worker }
  | undefined;
