/**
 * The configuration schema (zod). Every key has a default, so Minewarden starts with no file.
 * Objects are strict: an unknown key is an error that names it.
 */
import { z } from 'zod';
import { parseDuration } from '../core/time.ts';
import { INDICATOR_TYPES } from '../model/indicator.ts';

/** A duration as people write it (30m, 6h, 1d) or a number of seconds; becomes seconds. */
const duration = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const s = parseDuration(v);
    if (s === null) {
      ctx.addIssue({ code: 'custom', message: `expected a duration like 30s, 15m, 6h, 1d or a number of seconds (got ${JSON.stringify(v)})` });
      return z.NEVER;
    }
    return s;
  });

const DAY = 86400;
const DEFAULT_RETENTION = { dns: 30 * DAY, flow: 30 * DAY, http: 30 * DAY, tls: 30 * DAY, sinkhole: 90 * DAY, alert: 180 * DAY, rollups: 400 * DAY };

const confidence = z.number().int().min(0).max(100);

const feedFormat = z.enum(['auto', 'plain', 'hosts', 'adblock', 'rpz', 'csv', 'threatfox-json', 'misp', 'stix', 'otx', 'maltrail']);

export const feedSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a name of letters, digits, . _ - (at most 64)'),
    /** http(s) URL, file:// URL or a path. */
    url: z.string().min(1),
    format: feedFormat.default('auto'),
    category: z.string().min(1).default('malware'),
    family: z.string().default(''),
    confidence: confidence.default(70),
    refresh: duration.default(6 * 3600),
    enabled: z.boolean().default(true),
    /** Extra HTTP request headers, e.g. `Auth-Key` for ThreatFox or `X-OTX-API-KEY` for OTX. */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'an HTTP header name'), z.string()).default({}),
    /** MISP feeds: most events fetched from a manifest.json (newest first). */
    maxEvents: z.number().int().positive().default(2000),
  })
  .readonly();

const lifetimes = z
  .strictObject(Object.fromEntries(INDICATOR_TYPES.map((t) => [t, duration.optional()])) as Record<(typeof INDICATOR_TYPES)[number], z.ZodOptional<typeof duration>>)
  .default({});

/** host:port, [v6]:port, or a bare host (port defaults). */
const hostPort = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:/\]]+)(:\d{1,5})?$/, 'ADDRESS or ADDRESS:PORT (IPv6 in brackets)');
const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t)]).transform((v) => (Array.isArray(v) ? v : [v]) as Array<z.output<T>>);
const categoryAction = z.enum(['block', 'monitor', 'allow']);
const unitPolicy = z.strictObject({
  /** Names (and every name under them) never blocked for this unit and the units below it. */
  allow: z.array(z.string()).default([]),
  /** Names (and every name under them) always blocked. */
  deny: z.array(z.string()).default([]),
  /** What a match of an indicator category does: block, monitor (answer, log, alert) or allow. */
  categories: z.record(z.string(), categoryAction).default({}),
  /** Action for categories not listed. */
  default: categoryAction.optional(),
  /** How a block is answered for this unit's clients (unset: the nearest unit up the tree that sets it, finally dns.block.action). */
  blockAction: z.enum(['nxdomain', 'nodata', 'refused', 'sinkhole']).optional(),
});
const upstream = z.string().regex(/^((udp|tcp):\/\/)?(\[[0-9a-fA-F:.]+\]|[0-9.]+)(:\d{1,5})?$/, 'an upstream address: IP, IP:PORT, [IPv6]:PORT, optionally tcp:// or udp://');

const SINKHOLE_DEFAULT = {
  ipv4: '0.0.0.0', ipv6: '::', listen: 'auto' as const, ports: [80, 443, 3333, 4444, 5555, 7777, 8888, 9999, 14444, 45700], timeout: 3, maxConnections: 1000,
};

const dnsSchema = z
  .strictObject({
    /** Run the DNS gateway in `serve`. */
    enabled: z.boolean().default(true),
    /** Addresses to answer on, UDP and TCP. Production: ['0.0.0.0:53', '[::]:53']. */
    listen: oneOrMany(hostPort).default(['127.0.0.1:5353']),
    /**
     * Threads answering UDP queries (SO_REUSEPORT, needs the native udp-batch addon); 0 = one per
     * core. TCP, DoT and DoH stay on the main thread. Each thread has its own cache and rate limits.
     */
    workers: z.number().int().nonnegative().max(256).default(1),
    /** Certificate chain and private key, PEM file paths, for DNS over TLS and over HTTPS. */
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
    /** DNS over TLS (RFC 7858) addresses; port 853 unless given. Needs dns.tls. */
    dot: oneOrMany(hostPort).default([]),
    /** DNS over HTTPS (RFC 8484) addresses; port 443 unless given. Needs dns.tls unless dohPlain. */
    doh: oneOrMany(hostPort).default([]),
    /** The DoH URI path (RFC 8484 §3). */
    dohPath: z.string().regex(/^\/[^?#\s]*$/, 'a URI path such as /dns-query').default('/dns-query'),
    /** DoH as plain HTTP/1.1 for a reverse proxy in front that does TLS. Off: DoH is HTTPS itself. */
    dohPlain: z.boolean().default(false),
    /** With dohPlain: the client is the last X-Forwarded-For address (only if nothing but the proxy can reach the port). */
    dohForwardedFor: z.boolean().default(false),
    /** Upstream resolvers, in order of preference; empty: the nameservers of /etc/resolv.conf. */
    upstreams: z.array(upstream).default([]),
    /** Conditional forwarding: names under a zone go to its own upstreams. */
    forwardZones: z.array(z.strictObject({ zone: z.string().min(1), upstreams: z.array(upstream).min(1) })).default([]),
    /** Seconds to wait for an upstream before trying the next. */
    timeout: duration.default(2),
    /** Client networks that may use the gateway (loopback and every unit's networks always may). */
    allow: z.array(z.string()).default([]),
    /** Site forwarders trusted to name the real client (ODNS option or ECS /32, /128). */
    forwarders: z.array(z.strictObject({
      from: oneOrMany(z.string()),
      site: z.string().default(''),
      applianceId: z.number().int().nonnegative().optional(),
    })).default([]),
    /** Per client (identity and site), not per source address. 0 turns it off. */
    rateLimit: z.strictObject({ qps: z.number().nonnegative().default(200), burst: z.number().positive().default(400) }).default({ qps: 200, burst: 400 }),
    cache: z.strictObject({
      size: z.number().int().positive().default(100_000),
      maxTtl: duration.default(86400),
      /** Serve an expired answer for this long when upstreams fail (RFC 8767). */
      stale: duration.default(86400),
      /** Refresh an entry hit this often when close to expiry; 0: never. */
      prefetch: z.number().int().nonnegative().default(3),
    }).default({ size: 100_000, maxTtl: 86400, stale: 86400, prefetch: 3 }),
    block: z.strictObject({
      action: z.enum(['nxdomain', 'nodata', 'refused', 'sinkhole']).default('nxdomain'),
      ttl: duration.default(60),
      sinkhole: z.strictObject({
        ipv4: z.ipv4().default('0.0.0.0'),
        ipv6: z.ipv6().default('::'),
        /** 'auto': listen when the block action is sinkhole and the address is this machine's; 'off': never. */
        listen: z.enum(['auto', 'off']).default('auto'),
        /** Ports a blocked client tries next: web and common pool ports. Below 1024 needs CAP_NET_BIND_SERVICE. */
        ports: z.array(z.number().int().min(1).max(65535)).default([...SINKHOLE_DEFAULT.ports]),
        /** How long a client may take to say something. */
        timeout: duration.default(3),
        maxConnections: z.number().int().positive().default(1000),
      }).default(SINKHOLE_DEFAULT),
    }).default({ action: 'nxdomain', ttl: 60, sinkhole: SINKHOLE_DEFAULT }),
    policy: unitPolicy.extend({
      /** Per unit, by unit id: applies to the unit and every unit below it (the nearest setting wins). */
      units: z.record(z.string(), unitPolicy).default({}),
    }).default({ allow: [], deny: [], categories: {}, units: {} }),
  })
  .default({
    enabled: true, listen: ['127.0.0.1:5353'], workers: 1, dot: [], doh: [], dohPath: '/dns-query', dohPlain: false, dohForwardedFor: false, upstreams: [], forwardZones: [], timeout: 2, allow: [], forwarders: [],
    rateLimit: { qps: 200, burst: 400 }, cache: { size: 100_000, maxTtl: 86400, stale: 86400, prefetch: 3 },
    block: { action: 'nxdomain', ttl: 60, sinkhole: SINKHOLE_DEFAULT },
    policy: { allow: [], deny: [], categories: {}, units: {} },
  });

/** Sensors `serve` runs: collectors and log readers that turn what the network already produces into events. */
const sensorsSchema = z
  .strictObject({
    /** Networks that are ours besides the private ranges and every unit's networks (a flow's client side). */
    internal: z.array(z.string()).default([]),
    /** NetFlow v5/v9 and IPFIX over UDP. */
    netflow: z.array(z.strictObject({
      listen: hostPort,
      site: z.string().default(''),
      /** Sampling rate per exporter address, when the exporter does not announce it. */
      sampling: z.record(z.string(), z.number().int().positive()).default({}),
      templateTimeout: duration.default(1800),
    })).default([]),
    /** Zeek logs (TSV or JSON, plain or gzip): files or directories, followed like tail -F or read once. */
    zeek: z.array(z.strictObject({
      paths: oneOrMany(z.string().min(1)),
      follow: z.boolean().default(true),
      site: z.string().default(''),
    })).default([]),
    /** Suricata EVE JSON: files followed or read once, and/or a Unix socket Suricata writes to (filetype: unix_stream). */
    suricata: z.array(z.strictObject({
      paths: oneOrMany(z.string().min(1)).default([]),
      socket: z.string().min(1).optional(),
      follow: z.boolean().default(true),
      site: z.string().default(''),
    })).default([]),
    /** Syslog receivers (RFC 5424 and 3164): BIND and Unbound query logs, netfilter LOG lines. */
    syslog: z.array(z.strictObject({
      udp: hostPort.optional(),
      tcp: hostPort.optional(),
      site: z.string().default(''),
    })).default([]),
    /** HTTP ingest: POST /ingest with JSON lines (one event each), Authorization: Bearer TOKEN. */
    http: z.strictObject({
      listen: z.string().regex(/^$|^(\[[0-9a-fA-F:.]+\]|[0-9.]+|localhost):\d{1,5}$/, 'ADDRESS:PORT, or empty').default(''),
      /** Required when listen is set: at least 16 characters. */
      token: z.string().default(''),
      /** Largest request body. */
      maxBytes: z.number().int().positive().default(32 * 1024 * 1024),
    }).default({ listen: '', token: '', maxBytes: 32 * 1024 * 1024 }),
  })
  .superRefine((s, ctx) => {
    if (s.http.listen !== '' && s.http.token.length < 16) ctx.addIssue({ code: 'custom', path: ['http', 'token'], message: 'sensors.http.listen needs a token of at least 16 characters' });
    s.syslog.forEach((x, i) => {
      if (x.udp === undefined && x.tcp === undefined) ctx.addIssue({ code: 'custom', path: ['syslog', i], message: 'give udp, tcp or both' });
    });
    s.suricata.forEach((x, i) => {
      if (x.paths.length === 0 && x.socket === undefined) ctx.addIssue({ code: 'custom', path: ['suricata', i], message: 'give paths, socket or both' });
    });
  })
  .default({ internal: [], netflow: [], zeek: [], suricata: [], syslog: [], http: { listen: '', token: '', maxBytes: 32 * 1024 * 1024 } });

export const configSchema = z
  .strictObject({
    /** Where the embedded store, feed caches and state live. */
    dataDir: z.string().min(1).default('./data'),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        format: z.enum(['pretty', 'json']).default('pretty'),
      })
      .default({ level: 'info', format: 'pretty' }),
    store: z
      .strictObject({
        /** Only the embedded DuckDB store exists today; PostgreSQL + ClickHouse come with scale-out. */
        kind: z.enum(['embedded']).default('embedded'),
        /** DuckDB memory limit, e.g. 512MB. */
        memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'a size such as 512MB or 2GB').default('512MB'),
      })
      .default({ kind: 'embedded', memoryLimit: '512MB' }),
    intel: z
      .strictObject({
        /** Load the built-in list of well-known mining pools. */
        seed: z.boolean().default(true),
        feeds: z.array(feedSchema).default([]),
        /** Seconds between checks of the feed schedule (each feed has its own refresh). */
        schedulerTick: duration.default(60),
        decay: z
          .strictObject({
            /** Score below which an indicator stops matching (MISP/OpenCTI style). */
            threshold: confidence.default(20),
            /** Polynomial decay speed: score = confidence · (1 − (age/lifetime)^(1/speed)). */
            speed: z.number().positive().max(10).default(0.3),
            /** Per-type lifetime after which the score reaches zero. */
            lifetimes,
          })
          .default({ threshold: 20, speed: 0.3, lifetimes: {} }),
        guard: z
          .strictObject({
            enabled: z.boolean().default(true),
            /** Extra popular registrable domains, beside the built-in top-sites list. */
            popular: z.array(z.string()).default([]),
            /** A file with one popular domain per line (e.g. a Tranco list), read at start. */
            topSitesFile: z.string().optional(),
          })
          .default({ enabled: true, popular: [] }),
      })
      .default({
        seed: true,
        feeds: [],
        schedulerTick: 60,
        decay: { threshold: 20, speed: 0.3, lifetimes: {} },
        guard: { enabled: true, popular: [] },
      }),
    events: z
      .strictObject({
        /** How long each kind of event is kept, and the roll-ups (per unit per hour, per name per day). */
        retention: z
          .strictObject({
            dns: duration.default(30 * 86400),
            flow: duration.default(30 * 86400),
            http: duration.default(30 * 86400),
            tls: duration.default(30 * 86400),
            sinkhole: duration.default(90 * 86400),
            alert: duration.default(180 * 86400),
            rollups: duration.default(400 * 86400),
          })
          .default(DEFAULT_RETENTION),
        /** Longest time an event waits in the producer's batch before it goes to the writer. */
        flushInterval: duration.default(0.25),
        /** How often the roll-ups of hours that received events are recomputed. */
        rollupInterval: duration.default(60),
        /** How often retention runs (it also runs at start). */
        retentionInterval: duration.default(86400),
        /** Where `serve` runs the event writer: a thread of its own, or the main thread. */
        writer: z.enum(['worker', 'thread']).default('worker'),
      })
      .default({ retention: DEFAULT_RETENTION, flushInterval: 0.25, rollupInterval: 60, retentionInterval: 86400, writer: 'worker' }),
    dns: dnsSchema,
    sensors: sensorsSchema,
    /** Detectors: all run by default; turn one off by id, or change its parameters (see `minewarden detectors`). */
    detect: z.strictObject({
      disabled: z.array(z.string()).default([]),
      params: z.record(z.string(), z.record(z.string(), z.number())).default({}),
    }).default({ disabled: [], params: {} }),
    /** `minewarden forwarder`: the site agent that forwards to the central gateway with each client's address. */
    forwarder: z
      .strictObject({
        listen: oneOrMany(hostPort).default(['127.0.0.1:5353']),
        /** The central gateway(s): IP[:PORT], optionally tcp:// or udp://. */
        upstreams: z.array(upstream).default([]),
        /** This site's number, sent in the identity option (dns.forwarders[].applianceId at the centre). */
        applianceId: z.number().int().nonnegative().optional(),
        /** The site's client networks (private ranges when empty). */
        allow: z.array(z.string()).default([]),
        timeout: duration.default(3),
      })
      .default({ listen: ['127.0.0.1:5353'], upstreams: [], allow: [], timeout: 3 }),
    /** The REST API and the web console (`serve`). */
    api: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Where the console and API answer. Plain HTTP: keep it on loopback, or put a TLS proxy in front (trustProxy). */
        listen: hostPort.default('127.0.0.1:8080'),
        /** Certificate chain and key (PEM files): the console over HTTPS. */
        tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
        /** A reverse proxy in front: take the client address and scheme from X-Forwarded-*. */
        trustProxy: z.boolean().default(false),
        /** A session ends after this long without a request, and after sessionMax in any case. */
        sessionIdle: duration.default(12 * 3600),
        sessionMax: duration.default(7 * 86400),
        /** Failed logins in a row before the account is locked, and for how long. */
        lockout: z.strictObject({ attempts: z.number().int().positive().default(5), duration: duration.default(900) }).default({ attempts: 5, duration: 900 }),
        /** How often each gateway checks the store for a new policy revision. */
        policyPoll: duration.default(2),
      })
      .default({ enabled: true, listen: '127.0.0.1:8080', trustProxy: false, sessionIdle: 12 * 3600, sessionMax: 7 * 86400, lockout: { attempts: 5, duration: 900 }, policyPoll: 2 }),
    metrics: z
      .strictObject({
        /** Prometheus metrics at http://ADDRESS:PORT/metrics while `serve` runs; '' turns it off. */
        listen: z.string().regex(/^$|^(\[[0-9a-fA-F:.]+\]|[0-9.]+|localhost):\d{1,5}$/, 'ADDRESS:PORT such as 127.0.0.1:9153, or empty').default('127.0.0.1:9153'),
      })
      .default({ listen: '127.0.0.1:9153' }),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.intel.feeds.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['intel', 'feeds', i, 'name'], message: `feed name "${f.name}" is used twice` });
      seen.add(f.name);
    });
  });

export type Config = Readonly<z.output<typeof configSchema>>;
export type FeedConfig = z.output<typeof feedSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export type DnsConfig = z.output<typeof dnsSchema>;
export type SensorsConfig = z.output<typeof sensorsSchema>;
export type ApiConfig = Config['api'];
