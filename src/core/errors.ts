/**
 * The one error catalogue (STYLE.md habit 6). Every error Portico answers with has a stable code,
 * an HTTP status and a title; codes are never renamed or reused once released.
 * `docs/errors.md` documents each code, and a test keeps the two in step.
 */
export const ERRORS = {
  // ── management, portal and auth ───────────────────────────────────────────────────────────
  PORTICO_VALIDATION_FAILED: { status: 422, title: 'The request does not match the schema' },
  PORTICO_MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  PORTICO_BAD_REQUEST: { status: 400, title: 'The request is malformed' },
  PORTICO_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not supported' },
  PORTICO_UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  PORTICO_INVALID_CLIENT: { status: 401, title: 'The client credentials are not valid' },
  PORTICO_INVALID_GRANT: { status: 400, title: 'The grant type is not supported' },
  PORTICO_INVALID_CREDENTIALS: { status: 401, title: 'The email or password is not valid' },
  PORTICO_FORBIDDEN: { status: 403, title: 'Your role does not allow this' },
  PORTICO_NOT_FOUND: { status: 404, title: 'The resource does not exist' },
  PORTICO_CONFLICT: { status: 409, title: 'The resource already exists' },
  PORTICO_IN_USE: { status: 409, title: 'The resource is used by others and cannot be deleted' },
  PORTICO_PLAN_LOCKED: { status: 409, title: 'A locked plan cannot be changed; create a new version' },
  PORTICO_PLAN_NOT_LOCKED: { status: 409, title: 'The plan must be locked first' },
  PORTICO_PRODUCT_NOT_PUBLISHED: { status: 409, title: 'The product is not published' },
  PORTICO_INVALID_TRANSITION: { status: 409, title: 'The contract cannot move to that state' },
  PORTICO_CONTRACT_EXISTS: { status: 409, title: 'The application already has a contract for this product' },
  PORTICO_PUBLIC_API: { status: 409, title: 'A public API takes no contract' },
  PORTICO_PRECONDITION_FAILED: { status: 412, title: 'The resource changed since you read it' },
  PORTICO_PRECONDITION_REQUIRED: { status: 428, title: 'An If-Match header is required' },
  PORTICO_PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  PORTICO_INTERNAL: { status: 500, title: 'Internal error' },
  PORTICO_OPENAPI_INVALID: { status: 422, title: 'The OpenAPI document is not valid' },
  // ── gateway ───────────────────────────────────────────────────────────────────────────────
  PORTICO_ROUTE_NOT_FOUND: { status: 404, title: 'No API matches this request' },
  PORTICO_METHOD_NOT_ALLOWED: { status: 405, title: 'The operation does not allow this method' },
  PORTICO_BODY_TOO_LARGE: { status: 413, title: 'The request body exceeds the limit' },
  PORTICO_HEADERS_TOO_LARGE: { status: 431, title: 'The request headers exceed the limit' },
  PORTICO_UPSTREAM_TIMEOUT: { status: 504, title: 'The backend did not answer in time' },
  PORTICO_UPSTREAM_UNAVAILABLE: { status: 502, title: 'The backend could not be reached' },
  PORTICO_CIRCUIT_OPEN: { status: 503, title: 'The backend is failing; calls are paused' },
  PORTICO_NOT_READY: { status: 503, title: 'The gateway has no configuration yet' },
  PORTICO_KEY_MISSING: { status: 401, title: 'An API key is required' },
  PORTICO_KEY_INVALID: { status: 401, title: 'The API key is not valid' },
  PORTICO_NO_CONTRACT: { status: 403, title: 'The application has no contract for this API' },
  PORTICO_CONTRACT_PENDING: { status: 403, title: 'The contract is waiting for approval' },
  PORTICO_CONTRACT_SUSPENDED: { status: 403, title: 'The contract is suspended' },
  PORTICO_CONTRACT_REJECTED: { status: 403, title: 'The contract was rejected' },
  PORTICO_CONTRACT_CANCELLED: { status: 403, title: 'The contract was cancelled' },
  PORTICO_TOKEN_MISSING: { status: 401, title: 'A bearer token is required' },
  PORTICO_TOKEN_INVALID: { status: 401, title: 'The bearer token is not valid' },
  PORTICO_RATE_LIMITED: { status: 429, title: 'Too many requests' },
  PORTICO_PATH_REJECTED: { status: 400, title: 'The request path is not allowed' },
  PORTICO_MALFORMED_REQUEST: { status: 400, title: 'The request is not valid HTTP' },
  PORTICO_QUOTA_EXCEEDED: { status: 429, title: 'The quota for this period is used up' },
  PORTICO_SPIKE_ARREST: { status: 429, title: 'Calls arrive faster than the smoothed rate allows' },
  PORTICO_TRANSFER_QUOTA_EXCEEDED: { status: 429, title: 'The data transfer quota for this period is used up' },
  PORTICO_CONCURRENCY_LIMITED: { status: 429, title: 'Too many calls in flight' },
  PORTICO_LIMITS_UNAVAILABLE: { status: 503, title: 'The shared counter store cannot be reached' },
  PORTICO_POLICY_FAILED: { status: 500, title: 'A policy failed while running' },
  PORTICO_IP_FORBIDDEN: { status: 403, title: 'The client address is not allowed' },
  PORTICO_CORS_REJECTED: { status: 403, title: 'The cross-origin request is not allowed' },
  PORTICO_REQUEST_INVALID: { status: 400, title: 'The request does not match the API definition' },
  PORTICO_RESPONSE_INVALID: { status: 502, title: 'The backend answer does not match the API definition' },
  PORTICO_UNSUPPORTED_CONTENT: { status: 415, title: 'The content type cannot be processed by the policy' },
  PORTICO_TRACE_NOT_FOUND: { status: 404, title: 'No trace with this id' },
  PORTICO_BODY_UNPARSABLE: { status: 400, title: 'The request body cannot be parsed as its content type' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** A failure with a catalogued code; rendered as RFC 9457 problem+json by every HTTP surface. */
export class PorticoError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, detail?: string, details?: Record<string, unknown>) {
    super(detail ?? ERRORS[code].title);
    this.name = 'PorticoError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

/** RFC 9457 body for a code; `type` points at the code's entry in docs/errors.md. */
export function problem(code: ErrorCode, detail?: string, extra?: Record<string, unknown>): Problem {
  const { status, title } = ERRORS[code];
  return {
    type: `https://portico.dev/errors#${code.toLowerCase()}`,
    title,
    status,
    code,
    ...(detail !== undefined && detail !== title ? { detail } : {}),
    ...extra,
  };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
