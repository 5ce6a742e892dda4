/**
 * The URL of a request's target, or null when none can be made of it (`OPTIONS *`, `http://[`). Origin-form
 * targets are a path on this server, never resolved against it: `//[` is an odd path (404), not a broken host
 * that throws, and `//x/graphql` is not `/graphql`.
 */
export function requestTarget(raw: string | undefined): URL | null {
  const target = raw ?? '/';
  try {
    return new URL(target.startsWith('/') ? `http://localhost${target}` : target);
  } catch {
    return null;
  }
}
