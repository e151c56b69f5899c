// Type declarations for notiflows-auth (Node).

/**
 * Every error code: the core's taxonomy and the C ABI's own codes. The package reads them
 * from the library's error table; ffi/src/tests/codes.rs checks this list against it.
 */
export type ErrorCode =
  | 'token_malformed'
  | 'token_base64'
  | 'token_json'
  | 'token_duplicate_member'
  | 'token_too_large'
  | 'alg_not_allowed'
  | 'crit_unsupported'
  | 'signature_invalid'
  | 'claim_missing'
  | 'claim_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_issued_in_future'
  | 'key_invalid'
  | 'key_unsupported'
  | 'signing_key_not_configured'
  | 'api_key_missing'
  | 'api_key_invalid'
  | 'user_key_missing'
  | 'user_id_missing'
  | 'user_id_invalid'
  | 'origin_not_allowed'
  | 'config_invalid'
  | 'key_unknown'
  | 'token_revoked'
  | 'null_argument'
  | 'buffer_too_small'
  | 'invalid_utf8'
  | 'panic';

/** The family of a code, which picks its class; `ffi` (the C ABI's own codes) gets the root class. */
export type ErrorFamily = 'token' | 'signing_key' | 'request_auth' | 'config' | 'ffi';

/** One row of the library's error table. */
export interface ErrorInfo {
  readonly code: ErrorCode;
  readonly number: number;
  readonly status: number;
  readonly family: ErrorFamily;
  readonly message: string;
}

/** Every error code with its number in the C ABI. */
export const ERROR_CODES: Readonly<Record<ErrorCode, number>>;

/** The library's error table, in numeric order, read when the package loads. */
export const ERROR_TABLE: readonly ErrorInfo[];

/** Every failure: a stable `code`, the HTTP `status` to answer with, the `claim` concerned. */
export class NotiflowsAuthError extends Error {
  constructor(code: ErrorCode, status: number, message: string, claim?: string | null);
  readonly code: ErrorCode;
  readonly status: number;
  readonly claim: string | null;
  /** The JSON body a server can send as is. */
  toJSON(): { code: ErrorCode; message: string };
}
/** The user token was refused. */
export class TokenError extends NotiflowsAuthError {
  static readonly codes: readonly ErrorCode[];
}
/** A key could not be loaded, is unsupported, or no signing key is configured. */
export class SigningKeyError extends NotiflowsAuthError {
  static readonly codes: readonly ErrorCode[];
}
/** A request's Notiflows headers or Origin were refused. */
export class RequestAuthError extends NotiflowsAuthError {
  static readonly codes: readonly ErrorCode[];
}
/** A configuration value is malformed or out of range. */
export class ConfigError extends NotiflowsAuthError {
  static readonly codes: readonly ErrorCode[];
}

/** Unix seconds, or a Date; omitted for the current time. */
export type Time = number | Date;

export interface SignOptions {
  /** Lifetime in seconds (default 3600); null for a token without `exp`. */
  expiresInSeconds?: number | null;
  /** The issue time (`iat`); default now. */
  now?: Time;
  /** The header's `kid`: left out, the key's own kid; null, none; a string, that kid. */
  kid?: string | null;
}

export interface SignUserTokenOptions extends SignOptions {
  /** The private signing key in either format, or a SigningKey; default process.env.NOTIFLOWS_SIGNING_KEY. */
  signingKey?: string | Buffer | SigningKey;
}

/** Signs a user token (RS256) for the user's external id. */
export function signUserToken(userId: string, options?: SignUserTokenOptions): string;

/** A new key pair; toString() and util.inspect show the private forms redacted. */
export class GeneratedKeyPair {
  private constructor();
  /** PKCS#8 PEM. A secret: show once. */
  privateKeyPem: string;
  /** Standard base64 of the private PEM, one line (for NOTIFLOWS_SIGNING_KEY). A secret. */
  privateKeyBase64: string;
  /** SPKI PEM, for the verifying side. */
  publicKeyPem: string;
  toString(): string;
}

/** Generates an RSA signing key pair (2048 bits by default). */
export function generateSigningKey(options?: { bits?: 2048 | 3072 | 4096 }): GeneratedKeyPair;

/** Native handles: release with close() (or leave it to the garbage collector). */
declare class Handle {
  close(): void;
  readonly closed: boolean;
}

export class PublicKey extends Handle {
  /** SPKI PEM, PKCS#1 PEM, DER, or a base64-encoded PEM line. */
  constructor(key: string | Buffer);
  toPem(): string;
  readonly bits: number;
  /** The key's id: its RFC 7638 thumbprint unless set with withKid. */
  readonly kid: string;
  /** The same key with another kid (1 to 128 visible ASCII characters). */
  withKid(kid: string): PublicKey;
  /** The key as an RFC 7517 JWK (JSON text). */
  toJwk(): string;
}

/** An RFC 7517 JWK Set (JSON text) of the keys, in the order given. */
export function jwkSet(keys: Array<string | Buffer | PublicKey>): string;
/** The public keys of a JWK Set (JSON text; at most 8 RSA keys, read strictly). */
export function parseJwkSet(text: string | Buffer): PublicKey[];

export class SigningKey extends Handle {
  /** PKCS#8 or PKCS#1 PEM, DER, or the base64 line of a PEM. */
  constructor(key: string | Buffer);
  sign(userId: string, options?: SignOptions): string;
  publicKey(): PublicKey;
  readonly publicKeyPem: string;
  /** The kid signed tokens carry by default (the public key's thumbprint). */
  readonly kid: string;
}

export interface PolicyOptions {
  /** Tolerance for exp and nbf, seconds (default 0). */
  leewaySeconds?: number;
  /** Refuse tokens without exp (default false). */
  requireExp?: boolean;
  /** Size limit, 1 to 16384 bytes (default 8192). */
  maxTokenBytes?: number;
  /** Refuse tokens whose exp - iat exceeds this (default: no limit). */
  maxLifetimeSeconds?: number | null;
  /** How far iat may lie in the future, seconds (default 60). */
  iatSkewSeconds?: number;
  /** Which library verifies signatures (default 'ring'; 'aws-lc-rs' parses the key once). */
  provider?: Provider;
}

/** The verify providers; both give the same results. */
export type Provider = 'ring' | 'aws-lc-rs';

export interface VerifierOptions extends PolicyOptions {
  /** Tokens remembered as verified (default 0: no cache). */
  cacheSize?: number;
}

export interface Claims {
  sub: string;
  iat?: number;
  exp?: number;
  nbf?: number;
}

export class Verifier extends Handle {
  constructor(publicKey: string | Buffer | PublicKey, options?: VerifierOptions);
  verify(token: string | Buffer, options?: { now?: Time }): Claims;
  readonly provider: Provider;
}

export type SecurityMode = 'secure' | 'development';

export interface ProjectOptions {
  apiKey: string;
  securityMode?: SecurityMode;
  signingPublicKey?: string | Buffer | PublicKey | null;
  allowedOrigins?: string[];
  /** Keys that still verify while now < until (Unix seconds). */
  retiringKeys?: Array<{ key: string | Buffer | PublicKey; until: number }>;
  /** Tokens issued before this time (Unix seconds) are refused (token_revoked). */
  revokedBefore?: number;
  userRevocations?: Array<{ userId: string; revokedBefore: number }>;
  /** These override the Authenticator's rules for this project. */
  requireExp?: boolean;
  maxLifetimeSeconds?: number;
  leewaySeconds?: number;
  iatSkewSeconds?: number;
}

export interface AuthenticatedUser {
  userId: string;
  mode: SecurityMode;
  credential: 'user_key' | 'user_id';
  /** The token's exp, when a user token with one was used. */
  expiresAt?: number;
}

/** Header values as Node's http module and fetch deliver them: byte strings (latin1). */
export type RequestHeaders =
  | Record<string, string | string[] | undefined>
  | Iterable<[string, string]>;

export interface AuthenticatorOptions extends PolicyOptions {
  /** Verified-token cache size across all projects (default 10000; 0 disables). */
  cacheSize?: number;
}

export class Authenticator extends Handle {
  constructor(options?: AuthenticatorOptions);
  readonly provider: Provider;
  addProject(project: ProjectOptions): void;
  removeProject(apiKey: string): boolean;
  setSigningKey(apiKey: string, publicKey: string | Buffer | PublicKey | null): void;
  rotateSigningKey(apiKey: string, options?: { bits?: 2048 | 3072 | 4096 }): GeneratedKeyPair;
  /** The previous active key keeps verifying until now + overlapSeconds (1 to 604800). */
  setSigningKeyWithOverlap(apiKey: string, publicKey: string | Buffer | PublicKey, options: { overlapSeconds: number; now?: Time }): void;
  rotateSigningKeyWithOverlap(apiKey: string, options: { bits?: 2048 | 3072 | 4096; overlapSeconds: number; now?: Time }): GeneratedKeyPair;
  removeSigningKey(apiKey: string, kid: string): boolean;
  revokeTokensIssuedBefore(apiKey: string, before: Time): void;
  revokeUserTokensIssuedBefore(apiKey: string, userId: string, before: Time): void;
  pruneRevocations(apiKey: string, options?: { now?: Time }): number;
  /** The project's public keys as a JWK Set (JSON text), the active key first. */
  jwks(apiKey: string): string;
  /** The JWK Set of the keys that verify at now (retiring keys until their deadline). */
  jwksAt(apiKey: string, options?: { now?: Time }): string;
  /** What is in force for a project, as the core's project document (JSON text). */
  projectJson(apiKey: string): string;
  addProjectJson(text: string | Buffer): void;
  setSecurityMode(apiKey: string, securityMode: SecurityMode): void;
  setAllowedOrigins(apiKey: string, allowedOrigins: string[]): void;
  /** The headers as they came, Origin among them (read by the library). */
  authenticate(headers: RequestHeaders, options?: { now?: Time }): AuthenticatedUser;
  /** CORS headers from the request's own headers (Origin, x-notiflows-api-key). */
  corsHeaders(headers: RequestHeaders, options?: { preflight?: boolean; apiKey?: string | null }): Record<string, string>;
}

/** The C library's version. */
export const version: string;
/** The path of the C library in use. */
export const libraryPath: string;
/**
 * Which C library was loaded: the one bundled in the package, $NOTIFLOWS_AUTH_LIB, or (in a
 * checkout only) a development build in target/.
 */
export const nativeLibrary: { readonly path: string; readonly source: 'bundled' | 'env' | 'development' };
