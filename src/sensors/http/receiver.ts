/**
 * HTTP ingest: `POST /ingest` with JSON lines, one event each (the schema of `minewarden events
 * import`), for anything that can make an HTTP request — a script on a firewall, a log shipper
 * (Vector, Fluent Bit, Logstash http output). Guarded by a bearer token, compared in constant
 * time. A bad line is reported with its number and skipped; the others are taken.
 *
 * Fastify: the HTTP framework the API will use too (issue 7); here it gives body limits, content
 * type parsing and clean errors without hand-written HTTP.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { recordJsonLines, type JsonLinesResult } from '../jsonl.ts';
import { SensorHealth, type EventOutput, type Sensor, type SensorHealthView } from '../types.ts';

export interface HttpIngestConfig {
  id?: string;
  /** ADDRESS:PORT. */
  listen: string;
  token: string;
  maxBytes?: number;
}

export type IngestReply = JsonLinesResult;

const MAX_ERRORS = 20;

/** SHA-256 both sides first: timingSafeEqual needs equal lengths, and the length must not leak either. */
function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export class HttpIngest implements Sensor {
  readonly id: string;
  readonly kind = 'http';
  private readonly health_: SensorHealth;
  private app: FastifyInstance | null = null;
  /** The bound address (port resolved when listen asked for 0). */
  address = '';

  constructor(private readonly config: HttpIngestConfig, private readonly output: EventOutput) {
    this.id = config.id ?? `http:${config.listen}`;
    this.health_ = new SensorHealth(this.id, this.kind);
  }

  async start(): Promise<void> {
    const app = Fastify({ bodyLimit: this.config.maxBytes ?? 32 * 1024 * 1024, logger: false });
    // JSON lines arrive as text; application/json is taken as lines too (one object is one line).
    for (const type of ['application/x-ndjson', 'application/jsonl', 'application/json', 'text/plain']) {
      app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
    }
    app.addHook('onRequest', async (req, reply) => {
      if (req.url === '/healthz') return;
      const auth = req.headers.authorization ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (!sameToken(token, this.config.token)) {
        this.health_.bad('refused: missing or wrong token', req.ip);
        await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'MW_ERR_AUTH', message: 'a valid bearer token is required' });
      }
    });
    app.get('/healthz', () => ({ ok: true }));
    // Backpressure reaches the sender as a slower response, not as lost events.
    app.post('/ingest', (req): Promise<IngestReply> => recordJsonLines(typeof req.body === 'string' ? req.body.split('\n') : [], this.output, this.health_, { maxErrors: MAX_ERRORS }));
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(this.config.listen);
    if (m === null) throw new Error(`sensors.http.listen: "${this.config.listen}" is not ADDRESS:PORT`);
    this.address = await app.listen({ host: m[1] ?? m[2]!, port: Number(m[3]) });
    this.app = app;
    this.health_.detail = `POST ${this.address}/ingest`;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = null;
  }

  health(): SensorHealthView {
    return this.health_.view();
  }
}
