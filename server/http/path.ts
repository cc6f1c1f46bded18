// URL path helpers shared by the non-resource handlers.

/** The path without its trailing slashes, in one backward scan (`/\/+$/` is quadratic on `////…x`). */
export function trimTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return end === path.length ? path : path.slice(0, end);
}
