import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/index.ts';
import { createLogger } from '../core/log.ts';
import { Gateway } from './index.ts';

const run = promisify(execFile);
const log = createLogger({ level: 'silent', format: 'json' });
const deps = (dns: Record<string, unknown>) => ({
  config: configSchema.parse({ dns: { listen: '127.0.0.1:0', upstreams: ['127.0.0.1:9'], timeout: 1, ...dns } }).dns,
  intel: { domain: (n: string) => (n.endsWith('pool.test') ? { value: 'pool.test', category: 'mining-pool', source: 't' } : null), ip: () => null, size: () => 1 },
  org: { resolve: () => null, lineage: (u: string) => [u] }, queryLog: null, log,
});

describe('gateway config: dns.dot, dns.doh, dns.tls', () => {
  it('starts DoT and DoH from config, and refuses them without a certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')]);
    await expect(Gateway.start(deps({ dot: '127.0.0.1:0' }))).rejects.toThrow(/need dns\.tls/);
    const gw = await Gateway.start(deps({ tls: { cert: join(dir, 'c.pem'), key: join(dir, 'k.pem') }, dot: '127.0.0.1:0', doh: '127.0.0.1:0', dohPath: '/q' }));
    try {
      expect(gw.addresses.map((a) => a.proto)).toEqual(['udp', 'tcp', 'dot', 'doh']);
      const ca = `+tls-ca=${join(dir, 'c.pem')}`;
      const dot = (await run('kdig', ['@127.0.0.1', '-p', String(gw.addresses[2]!.port), '+tls', ca, 'x.pool.test'])).stdout;
      expect(dot).toMatch(/status: NXDOMAIN/);
      const doh = (await run('kdig', ['@127.0.0.1', '-p', String(gw.addresses[3]!.port), '+https=/q', ca, 'x.pool.test'])).stdout;
      expect(doh).toMatch(/EDE: 15 \(Blocked\)/);
    } finally {
      await gw.close();
    }
  });
});
