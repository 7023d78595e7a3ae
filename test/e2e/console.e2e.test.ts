/**
 * End to end, as a person uses it: `minewarden serve` with its DNS gateway in front of a real
 * authoritative server (NSD), the console in Debian's headless Chromium driven by playwright-core.
 *  - an admin logs in with a password and a TOTP code;
 *  - a capture replayed with `minewarden ingest` becomes an incident that appears on the open
 *    incidents page without a reload (Server-Sent Events);
 *  - a deny list saved on the policies page blocks a real DNS query to the running gateway;
 *  - a unit viewer sees only their unit.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { mw, ROOT, startServe, stopChild, type Serving } from '../support/cli.ts';
import { EXAMPLE_ZONE, hasNsd, NO_NSD_REASON, startAuthoritative, type Authoritative } from '../support/authoritative.ts';
import { probe, QTYPE } from '../support/dns-probe.ts';

const CHROMIUM = '/usr/bin/chromium';
const DATA = new URL('../../../shared/testdata/', import.meta.url).pathname;
const XMRIG = join(DATA, 'pcap/stratum_xmrig_rx0.pcap');
const ready = existsSync(CHROMIUM) && hasNsd();
const WHY = existsSync(CHROMIUM) ? NO_NSD_REASON : 'Debian chromium is not installed (run scripts/install-test-deps.sh)';
const SHOTS = process.env.MW_E2E_SHOTS ?? join(tmpdir(), 'minewarden-e2e-shots');

const PASSWORD = 'e2e correct horse battery';
const UNITS = `
- id: city
  name: City education centre
  cidrs: []
- id: d-north
  name: North district
  parent: city
  cidrs: []
- id: s-n1
  name: North No. 1 School
  parent: d-north
  cidrs: [127.0.0.0/8]
- id: d-east
  name: East district
  parent: city
  cidrs: []
- id: s-e1
  name: East No. 1 School
  parent: d-east
  cidrs: [10.3.1.0/24]
`;

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) t = Math.max(t, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs);
  return t;
}

/** The console as the sources are now: built again when dist/web is missing or older than src/web. */
function buildConsole(): void {
  const index = join(ROOT, 'dist/web/index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, 'src/web'))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!ready)(`console end to end in headless Chromium${ready ? '' : ` (skipped: ${WHY})`}`, () => {
  let dir: string;
  let data: string;
  let nsd: Authoritative;
  let serving: Serving;
  let browser: Browser;
  let url: string;
  let dnsPort: number;
  let adminSecret: string;

  async function login(page: Page, username: string, code?: () => string): Promise<void> {
    await page.goto(url);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    if (code !== undefined) {
      await page.getByTestId('login-totp').waitFor({ timeout: 10_000 });
      await page.getByTestId('login-totp').fill(code());
      await page.getByTestId('login-submit').click();
    }
    await page.getByTestId('nav-overview').waitFor({ timeout: 15_000 });
  }

  async function newPage(): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    return ctx.newPage();
  }

  beforeAll(async () => {
    buildConsole();
    dir = mkdtempSync(join(tmpdir(), 'mw-e2e-'));
    data = join(dir, 'data');
    mkdirSync(SHOTS, { recursive: true });
    nsd = await startAuthoritative([EXAMPLE_ZONE]);
    writeFileSync(join(dir, 'units.yaml'), UNITS);
    writeFileSync(join(dir, 'minewarden.yaml'), [
      'dns:', '  timeout: 2',
      'api:', '  policyPoll: 1',
    ].join('\n'));
    const units = await mw(data, ['--config', join(dir, 'minewarden.yaml'), 'units', 'import', join(dir, 'units.yaml')]);
    expect(units.code, units.err).toBe(0);
    // `admin` will have a second factor; `ops` (also an admin) has none, for the tests after the login one.
    for (const [name, role, extra] of [['admin', 'admin', []], ['ops', 'admin', []], ['north', 'unit-viewer', ['--units', 'd-north']], ['east', 'unit-viewer', ['--units', 's-e1']]] as const) {
      const r = await mw(data, ['--config', join(dir, 'minewarden.yaml'), 'user', 'add', name, '--role', role, ...extra], {}, `${PASSWORD}\n`);
      expect(r.code, r.err).toBe(0);
    }
    // Tests' servers take free ports (test/global-setup.ts); the upstream is this test's own NSD.
    serving = await startServe(dir, { dataDir: data, env: { MINEWARDEN_CONFIG: join(dir, 'minewarden.yaml'), MINEWARDEN_DNS__UPSTREAMS: `[127.0.0.1:${nsd.port}]` } });
    dnsPort = Number(/dns=udp:\/\/127\.0\.0\.1:(\d+)/.exec(serving.log())?.[1]);
    expect(dnsPort, serving.log()).toBeGreaterThan(0);
    url = serving.console;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The admin enrols a second factor through the API (the browser test below logs in with it).
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const h = { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken };
    const setup = await fetch(`${url}/api/auth/totp/setup`, { method: 'POST', headers: h, body: '{}' });
    adminSecret = ((await setup.json()) as { secret: string }).secret;
    const code = new TOTP({ secret: Secret.fromBase32(adminSecret) }).generate();
    const enable = await fetch(`${url}/api/auth/totp/enable`, { method: 'POST', headers: h, body: JSON.stringify({ code }) });
    expect(enable.status).toBe(200);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (serving !== undefined) await stopChild(serving.child);
    await nsd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs an admin in with a password and a TOTP code', async () => {
    const page = await newPage();
    // The enrolment used the current step; the next one is inside the accepted window and unused.
    await login(page, 'admin', () => new TOTP({ secret: Secret.fromBase32(adminSecret) }).generate({ timestamp: Date.now() + 30_000 }));
    await expect(page.getByTestId('overview-card-queries').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SHOTS, 'e2e-overview.png') });
    await page.context().close();
  }, 60_000);

  it('shows an incident from a replayed capture live, without a reload', async () => {
    const page = await newPage();
    await login(page, 'ops');
    await page.getByTestId('nav-incidents').click();
    await page.waitForURL(/\/incidents/);
    expect(await page.getByTestId('incident-row').count()).toBe(0);
    const ingest = await mw(data, ['--config', join(dir, 'minewarden.yaml'), 'ingest', XMRIG]);
    expect(ingest.code, ingest.err).toBe(0);
    const row = page.getByTestId('incident-row').filter({ hasText: /XMRig/ });
    await row.first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, 'e2e-incident-live.png') });
    await row.first().click();
    await expect(page.getByTestId('incident-title').textContent()).resolves.toMatch(/Monero mining \(XMRig/);
    await page.context().close();
  }, 90_000);

  it('applies a deny list saved on the policies page to a real DNS query within seconds', async () => {
    const before = await probe(dnsPort, 'www.example.test', QTYPE.A, 3000);
    expect(before?.rcode, serving.log()).toBe(0);
    const page = await newPage();
    await login(page, 'ops');
    await page.getByTestId('nav-policies').click();
    await page.getByTestId('policy-scope-global').click();
    await page.getByTestId('policy-deny').fill('www.example.test');
    await page.getByTestId('policy-save').click();
    const saved = Date.now();
    const blocked = await until('the gateway to block www.example.test', async () => {
      const a = await probe(dnsPort, 'www.example.test', QTYPE.A, 1000);
      return a?.rcode === 3 ? a : null;
    }, 15_000);
    expect(blocked.rcode).toBe(3);
    expect(Date.now() - saved).toBeLessThan(15_000);
    await page.screenshot({ path: join(SHOTS, 'e2e-policy.png') });
    await page.context().close();
  }, 90_000);

  it('shows a unit viewer their unit only', async () => {
    const east = await newPage();
    await login(east, 'east');
    await east.getByTestId('nav-units').click();
    await east.getByTestId('unit-node-s-e1').waitFor();
    expect(await east.getByTestId('unit-node-s-n1').count()).toBe(0);
    expect(await east.getByTestId('unit-node-d-north').count()).toBe(0);
    await east.getByTestId('nav-incidents').click();
    await east.waitForURL(/\/incidents/);
    // The XMRig host (127.0.0.1) is in s-n1: east sees no incident, and no way into s-n1.
    await east.waitForTimeout(1000);
    expect(await east.getByTestId('incident-row').count()).toBe(0);
    expect(await east.getByTestId('nav-users').count()).toBe(0);
    const escape = await east.request.get(`${url}/api/units/s-n1`);
    expect(escape.status()).toBe(404);
    await east.screenshot({ path: join(SHOTS, 'e2e-viewer-east.png') });
    await east.context().close();

    const north = await newPage();
    await login(north, 'north');
    await north.getByTestId('nav-incidents').click();
    await north.getByTestId('incident-row').filter({ hasText: /XMRig/ }).first().waitFor({ timeout: 10_000 });
    expect(await north.getByTestId('incident-action-ack').count()).toBe(0);
    // The tree is coloured by status: the school with the miner is infected, and so is its district's subtree.
    await north.getByTestId('nav-units').click();
    await expect(north.getByTestId('unit-node-s-n1').getAttribute('data-status')).resolves.toBe('infected');
    await expect(north.getByTestId('unit-node-d-north').getAttribute('data-subtree-status')).resolves.toBe('infected');
    await north.screenshot({ path: join(SHOTS, 'e2e-viewer-north-units.png') });
    await north.context().close();
  }, 90_000);
});
