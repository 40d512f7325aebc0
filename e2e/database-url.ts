/** DATABASE_URL with its database replaced by `name` (the browser tests' own, fresh database). */
export function e2eDatabaseUrl(name: string): string | undefined {
  const url = process.env.DATABASE_URL;
  if (!url) return undefined;
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
