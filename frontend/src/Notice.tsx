// Status and error messages, announced to screen readers.
import type { UserError } from "./api";

export function ErrorNotice({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p className="notice error" role="alert">
      {message}
    </p>
  );
}

export function UserErrors({ errors }: { errors: UserError[] }) {
  if (!errors.length) return null;
  return (
    <ul className="notice error" role="alert">
      {errors.map((error, index) => (
        <li key={`${error.code}-${index}`}>{error.message}</li>
      ))}
    </ul>
  );
}

export function StatusNotice({ message }: { message: string | null }) {
  return (
    <p className="notice status" role="status">
      {message ?? ""}
    </p>
  );
}
