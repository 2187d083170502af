/** The header fields live with the policies that send them (src/policies/traffic/headers.ts). */
export { rateLimitHeaders } from '../../policies/traffic/headers.ts';
