import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs; credentials never reach a line (the redact list covers every place they travel). */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', '*.clientSecret', '*.password', '*.apiKey'],
      censor: '[redacted]',
    },
  });
}
