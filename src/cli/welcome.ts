import type { PorticoConfig } from '../core/config.ts';
import type { RunningControlPlane } from './control-plane.ts';

/** What a new user needs to start: URLs, and on first run the credentials (shown this once). */
export function printWelcome(config: PorticoConfig, cp: RunningControlPlane, gatewayPort: number | null, metricsPort: number | null = null): void {
  const lines = ['', 'Portico is running.', `  Management API  ${cp.url}/management/v1   (OpenAPI: ${cp.url}/management/v1/openapi.json)`, `  Token endpoint  ${cp.url}/oauth/token`];
  if (gatewayPort !== null) lines.push(`  Gateway         http://${config.gateway.host}:${gatewayPort}`);
  if (metricsPort !== null) lines.push(`  Metrics         http://${config.gateway.host}:${metricsPort}/metrics`);
  lines.push(`  Data            ${config.database === 'sqlite' ? `${config.dataDir}/portico.db` : 'PostgreSQL'}`);
  const first = cp.firstRun;
  if (first) {
    lines.push(
      '',
      'First start: save these now, they are not shown again.',
      `  Admin sign-in        ${first.admin.email} / ${first.admin.password}`,
      `  Admin service key    client id ${first.serviceKey.clientId}`,
      `                       client secret ${first.serviceKey.clientSecret}`,
    );
    if (first.demo && gatewayPort !== null) {
      lines.push(
        `  Demo API key         ${first.demo.apiKey}`,
        '',
        'Try it:',
        `  curl -H 'X-API-Key: ${first.demo.apiKey}' http://${config.gateway.host}:${gatewayPort}/echo/hello`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
