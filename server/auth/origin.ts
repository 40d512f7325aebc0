// Refuses browser mutations sent from another site: a page elsewhere could otherwise post JSON with the
// user's session cookie (or to a local-mode server that needs no login). Requests with an API token and
// no cookie, and clients that send none of Origin/Sec-Fetch-Site/Referer (the CLI), are not browser requests.

/** Why the request must not mutate anything, or undefined when it may. */
export function crossOriginRefusal(headers: Headers, requestUrl: string, publicUrl: string | undefined): string | undefined {
  if (headers.get("authorization") && !headers.get("cookie")) return undefined;
  const allowed = new Set([originOf(requestUrl), publicUrl ? originOf(publicUrl) : undefined].filter((o): o is string => !!o));
  const origin = headers.get("origin");
  if (origin !== null) return allowed.has(origin) ? undefined : refusal(origin);
  const site = headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin" || site === "none" ? undefined : refusal(`a ${site} page`);
  const referer = headers.get("referer");
  if (referer !== null) {
    const from = originOf(referer);
    return from && allowed.has(from) ? undefined : refusal(from ?? "an unreadable Referer");
  }
  return undefined;
}

function refusal(from: string): string {
  return `changes are refused from ${from}: open Tandem at its own address, or call the API with an API token`;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined; // not a URL: treated as a foreign origin by the caller
  }
}
