// One mutation's state on the account page: busy while it runs, its user errors, or why it failed.
import { useState } from "react";

import { describeError, type UserError } from "./api";

interface Payload {
  userErrors: UserError[];
}

export interface Mutation {
  busy: boolean;
  errors: UserError[];
  failure: string | null;
  /** Show why a request failed as a whole. */
  fail: (caught: unknown) => void;
  /** Send a mutation; its payload when it went through, null on user errors or a failure. */
  run: <P extends Payload>(send: () => Promise<P>) => Promise<P | null>;
}

export function useMutation(): Mutation {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<UserError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const fail = (caught: unknown) => setFailure(describeError(caught));

  const run = async <P extends Payload>(send: () => Promise<P>): Promise<P | null> => {
    setBusy(true);
    setErrors([]);
    setFailure(null);
    try {
      const payload = await send();
      setErrors(payload.userErrors);
      return payload.userErrors.length ? null : payload;
    } catch (caught) {
      fail(caught);
      return null;
    } finally {
      setBusy(false);
    }
  };

  return { busy, errors, failure, fail, run };
}
