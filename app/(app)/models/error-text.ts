/** A tRPC error as words for the page: the field messages of a refused input, never the raw zod issue list. */
export function errorText(
  error: { message: string; data?: { fieldErrors?: Record<string, string[] | undefined> | null } | null } | null,
): string | null {
  if (!error) return null;
  const fields = Object.values(error.data?.fieldErrors ?? {}).flatMap((messages) => messages ?? []);
  return fields.length > 0 ? fields.join(" ") : error.message;
}
