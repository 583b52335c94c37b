/** The sign-in address of a tenant's workspace (the welcome email's {{loginUrl}} uses the same form). */
export function loginUrlFor(appUrl: string, slug: string): string {
  return `${appUrl.replace(/\/+$/, "")}/login?tenant=${encodeURIComponent(slug)}`;
}
