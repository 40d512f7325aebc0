"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback } from "react";

// A page's shareable state in its query string: read with `get`, change several keys at once with `set`
// (null or "" removes a key). Replaces the history entry, so typing in a filter does not stack entries.

export function useUrlParams(): { get: (key: string) => string | null; set: (changes: Record<string, string | number | null | undefined>) => void } {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const get = useCallback((key: string) => params.get(key), [params]);
  const set = useCallback((changes: Record<string, string | number | null | undefined>) => {
    const next = new URLSearchParams(window.location.search);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === undefined || v === "") next.delete(k);
      else next.set(k, String(v));
    }
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  }, [router, pathname]);
  return { get, set };
}
