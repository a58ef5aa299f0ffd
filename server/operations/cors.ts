/**
 * Which browser pages may call the API from another origin: only those listed in MMS_CORS_ORIGINS, with
 * credentials. Others get no CORS headers at all, so the browser keeps their scripts from reading answers.
 */
import type { CORSOptions } from 'graphql-yoga';

export function corsPolicy(allowedOrigins: readonly string[]): (request: Request) => CORSOptions {
  const allowed = new Set(allowedOrigins);
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null || !allowed.has(origin)) return false;
    return { origin: [origin], credentials: true, maxAge: 600 };
  };
}
