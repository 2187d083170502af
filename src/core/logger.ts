import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const REDACT = {
  paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', '*.clientSecret', '*.password', '*.apiKey'],
  censor: '[redacted]',
};

/** JSON logs; credentials never reach a line (the redact list covers every place they travel). */
export function createLogger(level: string): Logger {
  return pino({ level, redact: REDACT });
}

/**
 * The gateway's access log: one JSON line per call on stdout (or `destination`), ISO times,
 * written asynchronously in batches so a call never waits for the write.
 */
export function createAccessLogger(destination?: DestinationStream): Logger {
  return pino(
    { level: 'info', base: { log: 'access' }, timestamp: pino.stdTimeFunctions.isoTime, redact: REDACT },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
