import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { MiddlewareOptions, NotiflowsUser, TokenEndpointOptions } from './user';

export type { NotiflowsUser, MiddlewareOptions, TokenEndpointOptions } from './user';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the notiflowsAuth plugin on every request it let through (null before). */
    notiflows: NotiflowsUser | null;
  }
}

/** Answers preflights, authenticates, sets request.notiflows or answers the refusal. */
export interface FastifyOptions extends MiddlewareOptions {
  /** Add an OPTIONS '/*' route to the scope so preflights reach the hook (default true). */
  preflightRoute?: boolean;
}

export const notiflowsAuth: FastifyPluginAsync<FastifyOptions>;
export default notiflowsAuth;
/** A route handler answering `{ userKey }` for the logged-in user (401 without one). */
export function tokenEndpoint(
  options: TokenEndpointOptions<FastifyRequest>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;
