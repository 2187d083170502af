import { ECHO_PREFIX } from '../management/echo.ts';
import { backends } from '../services/backends.ts';
import { SYSTEM, type Services } from '../services/context.ts';
import { tables } from '../store/index.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A backend whose only target is the echo service of a control plane on this machine. */
function isLocalEcho(url: string): boolean {
  try {
    const u = new URL(url);
    return LOOPBACK.has(u.hostname) && u.pathname === ECHO_PREFIX;
  } catch {
    return false;
  }
}

/**
 * The echo service moves with the control plane: when Portico restarts on another port (or
 * `--port 0`), backends that point at the built-in echo service on this machine follow it, so the
 * demo keeps working. The change is audited like any other.
 */
export async function followEchoService(services: Services, echoUrl: string): Promise<number> {
  const ctx = { ...services, actor: SYSTEM };
  let moved = 0;
  for (const backend of await tables.backends.all(services.store.db)) {
    const [only, ...rest] = backend.targets;
    if (!only || rest.length > 0 || !isLocalEcho(only.url) || only.url === echoUrl) continue;
    await backends.update(ctx, backend.organizationId, backend.id, { targets: [{ url: echoUrl, weight: only.weight }] }, null);
    moved++;
  }
  return moved;
}
