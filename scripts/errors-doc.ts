// Writes docs/errors.md from the error catalogue (src/core/errors.ts) and the explanations below.
// Run `npm run docs:errors` after adding a code; a test fails while a code is undocumented.
import { writeFileSync } from 'node:fs';
import { ERRORS, type ErrorCode } from '../src/core/errors.ts';

const MEANING: Record<ErrorCode, string> = {
  PORTICO_VALIDATION_FAILED: 'The body, path or query does not match the schema. `errors` lists every violation as `{ pointer, message }`; unknown fields are refused, never silently dropped.',
  PORTICO_MALFORMED_JSON: 'The body is not parseable JSON (or is empty where JSON is required).',
  PORTICO_BAD_REQUEST: 'The request is malformed in another way (bad Content-Length, bad encoding).',
  PORTICO_UNSUPPORTED_MEDIA_TYPE: 'Send `application/json` (`application/x-www-form-urlencoded` for `/oauth/token`).',
  PORTICO_UNAUTHENTICATED: 'No credential, or an invalid, expired or revoked token or session. Carries `WWW-Authenticate`.',
  PORTICO_INVALID_CLIENT: 'The token endpoint did not recognise the client id and secret. The body also carries `error: invalid_client` (RFC 6749 §5.2).',
  PORTICO_INVALID_GRANT: 'Only `grant_type=client_credentials` is supported (`error: unsupported_grant_type`).',
  PORTICO_INVALID_CREDENTIALS: 'Console sign-in with a wrong email or password.',
  PORTICO_FORBIDDEN: 'Your role in the organization is too low for this action (owner > admin > publisher > developer).',
  PORTICO_NOT_FOUND: 'The resource does not exist, or you may not see it (another organization answers 404, not 403).',
  PORTICO_CONFLICT: 'A resource with the same unique name, id, route (host + base path + version) or key exists.',
  PORTICO_IN_USE: 'Deleting this would break what uses it (a backend used by an API, a plan with contracts …). Nothing is deleted by cascade.',
  PORTICO_PLAN_LOCKED: 'Locked plans are immutable. Create a new version with `POST …/plans/{id}/versions`.',
  PORTICO_PLAN_NOT_LOCKED: 'Contracts only use locked plans. Lock it with `POST …/plans/{id}/lock`.',
  PORTICO_PRODUCT_NOT_PUBLISHED: 'Contracts are only made with published products.',
  PORTICO_INVALID_TRANSITION: 'The contract life cycle does not allow this action from the current status.',
  PORTICO_CONTRACT_EXISTS: 'The application already has an open (pending, active or suspended) contract for this product; `contractId` names it.',
  PORTICO_PUBLIC_API: 'Public APIs need no key and take no contract.',
  PORTICO_PRECONDITION_FAILED: '`If-Match` does not match the current ETag: someone changed the resource since you read it. Read it again.',
  PORTICO_PRECONDITION_REQUIRED: 'Reserved: an `If-Match` header is required for this update.',
  PORTICO_PAYLOAD_TOO_LARGE: 'The management API accepts bodies up to 1 MiB.',
  PORTICO_INTERNAL: 'An unexpected error; the `requestId` finds it in the logs.',
  PORTICO_OPENAPI_INVALID: 'An imported OpenAPI 3.0/3.1 or Swagger 2.0 document does not parse, does not validate against its specification, or uses something Portico cannot route (a path template it cannot match, a method it does not serve). `errors` lists every problem as `{ message, line, location }`; `line` is the line in the document as sent (or as pretty-printed JSON when sent as an object).',
  PORTICO_ROUTE_NOT_FOUND: 'Gateway: no published API matches the host, path and version.',
  PORTICO_METHOD_NOT_ALLOWED: 'Gateway: the path exists but not for this method; `Allow` lists the methods.',
  PORTICO_BODY_TOO_LARGE: "Gateway: the request body exceeds the API's `maxRequestBodyBytes`.",
  PORTICO_HEADERS_TOO_LARGE: 'Gateway: the request line and headers exceed the limit.',
  PORTICO_UPSTREAM_TIMEOUT: 'Gateway: the backend did not connect or answer within its timeouts.',
  PORTICO_UPSTREAM_UNAVAILABLE: 'Gateway: the backend refused or dropped the connection.',
  PORTICO_CIRCUIT_OPEN: 'Gateway: every target of the backend failed repeatedly; calls pause for the cool-down.',
  PORTICO_NOT_READY: 'Gateway: no configuration snapshot is loaded yet (`/readyz` answers the same).',
  PORTICO_KEY_MISSING: 'Gateway: the API is private and no API key was sent.',
  PORTICO_KEY_INVALID: 'Gateway: the API key is unknown.',
  PORTICO_NO_CONTRACT: 'Gateway: the key or token is valid, but none of the application\'s contracts is on a published product covering this API.',
  PORTICO_CONTRACT_PENDING: 'Gateway: the only contract covering this API waits for a publisher\'s approval (`POST …/contracts/{id}/approve`).',
  PORTICO_CONTRACT_SUSPENDED: 'Gateway: the contract covering this API is suspended; a publisher can resume it.',
  PORTICO_CONTRACT_REJECTED: 'Gateway: the contract covering this API was rejected; subscribe again.',
  PORTICO_CONTRACT_CANCELLED: 'Gateway: the contract covering this API was cancelled; subscribe again.',
  PORTICO_TOKEN_MISSING: 'Gateway: the API validates JWTs from an identity provider and no `Authorization: Bearer` token was sent. Carries `WWW-Authenticate: Bearer`.',
  PORTICO_TOKEN_INVALID: 'Gateway: the bearer token is malformed, expired, signed by an unknown key or with a wrong signature, has the wrong issuer, audience or a required claim missing, or was revoked (client secret regenerated). `detail` says which; carries `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750).',
  PORTICO_RATE_LIMITED: 'Gateway: a rate limit refused the call; see `Retry-After` and `RateLimit-*`.',
  PORTICO_PATH_REJECTED: 'Gateway: dot segments (`..`, `%2e%2e`) or encoded slashes (`%2F`) in the path are refused so that no request escapes its API base path.',
  PORTICO_MALFORMED_REQUEST: 'Gateway: the bytes received are not valid HTTP/1.1 (bad request line, bad chunked encoding …).',
  PORTICO_QUOTA_EXCEEDED: 'Gateway: a quota policy (calls per calendar day, week or month) refused the call; see `Retry-After` and `RateLimit-*`.',
  PORTICO_SPIKE_ARREST: 'Gateway: a spike-arrest policy refused a call that came sooner than its smoothing interval allows; see `Retry-After`.',
  PORTICO_TRANSFER_QUOTA_EXCEEDED: 'Gateway: a transfer-quota policy (bytes up, down or both per period) refused the call; see `Retry-After`.',
  PORTICO_CONCURRENCY_LIMITED: 'Gateway: a concurrency-limit policy refused the call because the allowed number of calls is already in flight.',
  PORTICO_LIMITS_UNAVAILABLE: 'Gateway: the counter store (Redis) of a fail-closed limit policy could not be reached in time; fail-open policies let the call through instead.',
  PORTICO_POLICY_FAILED: 'Gateway: a policy could not run (an expression failed on this request, a body could not be read). `detail` names the policy; nothing was sent to the backend.',
  PORTICO_IP_FORBIDDEN: 'Gateway: an IP filter policy refused the client address (after trusted proxies are taken into account).',
  PORTICO_CORS_REJECTED: 'Gateway: a CORS policy refused a preflight or request from an origin, method or header it does not allow.',
  PORTICO_REQUEST_INVALID: 'Gateway: a validation policy found the request does not match the operation in the API definition; `errors` lists every violation as `{ in, pointer, message }`.',
  PORTICO_RESPONSE_INVALID: 'Gateway: a validation policy found the backend answer does not match the API definition; `errors` lists every violation.',
  PORTICO_UNSUPPORTED_CONTENT: 'Gateway: a transformation policy cannot read the body in this content type (for example XML to JSON on a non-XML body).',
  PORTICO_TRACE_NOT_FOUND: 'Management: the policy trace does not exist, or expired (traces are kept a short time in memory).',
  PORTICO_BODY_UNPARSABLE: 'Gateway: a conversion policy (`json-to-xml`, `xml-to-json`) could not parse the request body it had to convert; `detail` says why and where (`line 3, column 7`). Nothing was sent to the backend.',
};

let out = `# Error codes

Every error Portico returns (management API, token endpoint, gateway) is an RFC 9457
\`application/problem+json\` document with a stable \`code\` and the \`requestId\` of the call:

\`\`\`json
{ "type": "https://portico.dev/errors#portico_plan_locked", "title": "A locked plan cannot be changed; create a new version",
  "status": 409, "code": "PORTICO_PLAN_LOCKED", "detail": "Plan \\"Gold\\" version 1 is locked; …", "requestId": "…" }
\`\`\`

Codes are never renamed or reused. Match on \`code\`, not on \`title\` or \`detail\`.

| code | status | meaning |
| --- | --- | --- |
`;
for (const [code, { status, title }] of Object.entries(ERRORS) as [ErrorCode, { status: number; title: string }][]) {
  out += `| \`${code}\` | ${status} | **${title}.** ${MEANING[code]} |\n`;
}
writeFileSync(new URL('../docs/errors.md', import.meta.url), out);
