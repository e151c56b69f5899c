import type { MiddlewareOptions, NotiflowsUser, TokenEndpointOptions } from './user';

export type { NotiflowsUser, MiddlewareOptions, TokenEndpointOptions } from './user';

declare global {
  // Merged into Express's Request (as @types/express declares it), without importing express.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by notiflowsAuth() on every request it let through. */
      notiflows?: NotiflowsUser;
    }
  }
}

type Handler = (req: any, res: any, next: (err?: unknown) => void) => void;

/** Answers preflights, authenticates, sets req.notiflows or answers the refusal. */
export function notiflowsAuth(options: MiddlewareOptions): Handler;
/** A route answering `{ userKey }` for the logged-in user (401 without one). */
export function tokenEndpoint<Req = any>(options: TokenEndpointOptions<Req>): Handler;
