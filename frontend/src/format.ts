// Dates and lists in the patient's own locale.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDateTime(value: string | null | undefined, fallback = "Never"): string {
  if (!value) return fallback;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? value : dateTime.format(parsed);
}

export function joinLabels(items: { label: string }[], empty: string): string {
  return items.length ? items.map((item) => item.label).join(", ") : empty;
}

/** The start of a local calendar day (or the start of the next one) as an ISO timestamp. */
export function dayBoundary(day: string, nextDay = false): string | null {
  if (!day) return null;
  const [year, month, date] = day.split("-").map(Number);
  if (!year || !month || !date) return null;
  return new Date(year, month - 1, date + (nextDay ? 1 : 0)).toISOString();
}
