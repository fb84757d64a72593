import type { FastifyRequest } from 'fastify';

/** Where a sign-in came from, as the session's `devices` entry records it. */
export interface RequestDevice {
  ipAddress: string | null;
  userAgent: string | null;
  /** Kratos's: Cloudflare's `Cf-Ipcity` and `Cf-Ipcountry` joined with ", "; empty without them. */
  location: string;
}

/** The device of a sign-in: its client IP (as the caller resolved it), user agent and location. */
export function requestDevice(request: FastifyRequest, ipAddress: string | null): RequestDevice {
  const header = (name: string) => {
    const value = request.headers[name];
    return (Array.isArray(value) ? value.join(' ') : value) ?? '';
  };
  return {
    ipAddress,
    userAgent: request.headers['user-agent'] ?? null,
    location: [header('cf-ipcity'), header('cf-ipcountry')].filter((part) => part !== '').join(', '),
  };
}
