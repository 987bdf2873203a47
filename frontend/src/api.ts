// The page's only way to the API: POST /graphql with the session cookie and the CSRF header.

export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResult<T> {
  data?: T | null;
  errors?: GraphQLErrorEntry[];
}

export interface UserError {
  code: string;
  field: string[] | string | null;
  message: string;
}

/** Raised when a request fails as a whole (network, HTTP status, or errors with no data). */
export class RequestFailed extends Error {
  constructor(
    message: string,
    readonly errors: GraphQLErrorEntry[] = [],
  ) {
    super(message);
    this.name = "RequestFailed";
  }
}

export const GRAPHQL_URL = "/graphql";
export const LOGIN_URL = "/login?next=/account";

export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/** POST a GraphQL document the same way for the page and for GraphiQL. */
export async function postGraphQL(body: unknown): Promise<Response> {
  return fetch(GRAPHQL_URL, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json",
      "X-CSRF-Token": csrfToken(),
    },
    body: JSON.stringify(body),
  });
}

function sessionEnded(errors: GraphQLErrorEntry[] | undefined): boolean {
  return (errors ?? []).some((e) => e.extensions?.code === "UNAUTHENTICATED");
}

/** Run an operation; partial errors come back with the data, total failures raise. */
export async function request<T>(
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data: T; errors: GraphQLErrorEntry[] }> {
  let response: Response;
  try {
    response = await postGraphQL({ query, variables });
  } catch {
    throw new RequestFailed("chartshare could not be reached. Check your connection and try again.");
  }
  if (response.status === 401) {
    window.location.assign(LOGIN_URL);
    throw new RequestFailed("Your session has ended. Please log in again.");
  }
  let payload: GraphQLResult<T>;
  try {
    payload = (await response.json()) as GraphQLResult<T>;
  } catch {
    throw new RequestFailed(`The server answered with an error (HTTP ${response.status}).`);
  }
  if (sessionEnded(payload.errors)) {
    window.location.assign(LOGIN_URL);
    throw new RequestFailed("Your session has ended. Please log in again.", payload.errors);
  }
  if (payload.data == null) {
    const message = payload.errors?.[0]?.message ?? `HTTP ${response.status}`;
    throw new RequestFailed(`The request failed: ${message}`, payload.errors ?? []);
  }
  return { data: payload.data, errors: payload.errors ?? [] };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong.";
}
