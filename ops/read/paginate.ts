/** Follows a paginated AWS list call (nextToken/NextToken) to its last page, or until `max` items are in. */
export async function collectPages<T>(
  page: (token: string | undefined) => Promise<{ items?: T[]; next?: string }>,
  max = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const out = await page(token);
    all.push(...(out.items ?? []));
    token = out.next;
  } while (token && all.length < max);
  return all;
}
