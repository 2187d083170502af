import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readConfigFile } from '../../services/declarative/file.ts';
import type { Change } from '../../services/declarative/reconcile.ts';

interface RemoteFlags {
  url: string;
  org?: string;
}

/** A management API session: a client-credentials token from PORTICO_CLIENT_ID / PORTICO_CLIENT_SECRET. */
async function session(flags: RemoteFlags, env: NodeJS.ProcessEnv) {
  const base = flags.url.replace(/\/+$/, '');
  const id = env.PORTICO_CLIENT_ID;
  const secret = env.PORTICO_CLIENT_SECRET;
  if (!id || !secret) throw new Error('set PORTICO_CLIENT_ID and PORTICO_CLIENT_SECRET (a service key of the organization, role admin)');
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
  }).catch((error: unknown) => {
    throw new Error(`cannot reach ${base}: ${error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : String(error)}`);
  });
  const token = (await res.json()) as { access_token?: string; detail?: string };
  if (!res.ok || !token.access_token) throw new Error(`token: ${res.status} ${token.detail ?? JSON.stringify(token)}`);
  return async (method: string, path: string, body?: unknown, accept = 'application/json'): Promise<{ text: string; json: any }> => {
    const r = await fetch(`${base}/management/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token.access_token}`, accept, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* YAML or empty */
    }
    if (!r.ok) {
      const errors = Array.isArray(json?.errors) ? `\n${json.errors.map((e: any) => `  ${e.pointer ?? e.location ?? ''} ${e.message}`).join('\n')}` : '';
      throw new Error(`${r.status} ${json?.code ?? ''} ${json?.detail ?? json?.title ?? text}${errors}`);
    }
    return { text, json };
  };
}

const SIGN: Record<string, string> = { create: '+', delete: '-', cancel: '-' };
function render(changes: Change[]): string {
  if (changes.length === 0) return 'No changes: the organization matches the file.\n';
  return changes.map((c) => `${SIGN[c.action] ?? '~'} ${c.action} ${c.kind} ${c.name}${c.fields?.length ? ` (${c.fields.join(', ')})` : ''}\n`).join('');
}

function orgOf(flags: RemoteFlags, doc?: Record<string, unknown>): string {
  const org = flags.org ?? process.env.PORTICO_ORG ?? (typeof doc?.organization === 'string' ? doc.organization : undefined);
  if (!org) throw new Error('name the organization: --org, PORTICO_ORG, or `organization:` in the file');
  return org;
}

/** `portico apply`, `portico diff`, `portico export`: configuration as code against a running control plane. */
export function configCommands(program: Command): void {
  const remote = (cmd: Command) =>
    cmd
      .option('--url <url>', 'control plane URL (PORTICO_URL)', process.env.PORTICO_URL ?? 'http://127.0.0.1:8001')
      .option('--org <id>', 'organization (PORTICO_ORG; default: `organization:` of the file)');

  const send = async (flags: RemoteFlags & { file: string; prune?: boolean }, dryRun: boolean) => {
    const { document, env } = await readConfigFile(flags.file, process.env);
    const call = await session(flags, process.env);
    const query = new URLSearchParams({ prune: String(flags.prune ?? false), dryRun: String(dryRun) });
    const { json } = await call('POST', `/organizations/${encodeURIComponent(orgOf(flags, document))}/config/apply?${query}`, { document, env });
    for (const w of json.warnings as string[]) process.stderr.write(`warning: ${w}\n`);
    return json as { applied: boolean; changes: Change[] };
  };

  remote(program.command('apply').description('make an organization match a configuration file, in one transaction'))
    .requiredOption('-f, --file <file>', 'configuration file (YAML or JSON)')
    .option('--prune', 'also delete what the file omits (open contracts are cancelled)')
    .action(async (flags: RemoteFlags & { file: string; prune?: boolean }) => {
      const result = await send(flags, false);
      process.stdout.write(render(result.changes));
      if (result.applied) process.stdout.write(`Applied ${result.changes.length} change${result.changes.length === 1 ? '' : 's'}.\n`);
    });

  remote(program.command('diff').description('show what `portico apply` would change'))
    .requiredOption('-f, --file <file>', 'configuration file (YAML or JSON)')
    .option('--prune', 'include the deletions of --prune')
    .action(async (flags: RemoteFlags & { file: string; prune?: boolean }) => {
      process.stdout.write(render((await send(flags, true)).changes));
    });

  remote(program.command('export').description("write an organization's configuration as YAML"))
    .option('-o, --output <file>', 'file to write (default: standard output)')
    .action(async (flags: RemoteFlags & { output?: string }) => {
      const call = await session(flags, process.env);
      const { text } = await call('GET', `/organizations/${encodeURIComponent(orgOf(flags))}/config`, undefined, 'application/yaml');
      const out = `# yaml-language-server: $schema=https://portico.dev/schemas/portico-config.schema.json\n${text}`;
      if (flags.output) writeFileSync(flags.output, out);
      else process.stdout.write(out);
    });
}
