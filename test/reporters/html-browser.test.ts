/**
 * The HTML report in a real browser: Debian's chromium driven by
 * playwright-core. Screenshots and a PDF land in test-output/reporters/ for a
 * person to look at. Without /usr/bin/chromium the suite is skipped locally
 * and fails in CI (CI=true), where .ci/run installs the package.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { renderHtml, type Lang } from '@port25-audit/reporters';
import { CHROMIUM, hasChromium, loadReport, requireTool, TEST_OUTPUT_DIR, type FixtureName } from './report-fixtures.js';

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Loaded {
  page: Page;
  consoleErrors: string[];
  requests: string[];
}

/** WCAG 2.1 relative luminance of `rgb(r, g, b)`. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => {
    const channel = Number(part) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

describe('reporters: renderHtml in Chromium', function () {
  this.timeout(60_000);
  let context: BrowserContext;
  let profile: string;

  before(async function () {
    requireTool(this, hasChromium(), CHROMIUM, 'apt-get install chromium');
    mkdirSync(TEST_OUTPUT_DIR, { recursive: true });
    // A fresh profile per run: nothing cached, nothing synced.
    profile = mkdtempSync(join(tmpdir(), 'port25-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: LAUNCH_ARGS,
      viewport: { width: 1280, height: 900 },
      offline: true,
    });
  });

  after(async () => {
    await context?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  async function load(name: FixtureName, lang: Lang): Promise<Loaded> {
    const file = join(TEST_OUTPUT_DIR, `${name}.${lang}.html`);
    writeFileSync(file, renderHtml(loadReport(name), { lang }));
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, consoleErrors, requests };
  }

  for (const [name, lang] of [
    ['mixed', 'en'],
    ['mixed', 'de'],
    ['hostile', 'en'],
  ] as const) {
    it(`loads ${name}.${lang}.html without console errors or requests, with all six practices visible`, async () => {
      const { page, consoleErrors, requests } = await load(name, lang);
      try {
        expect(consoleErrors).to.deep.equal([]);
        expect(requests.filter((url) => !url.startsWith('file://') && !url.startsWith('data:'))).to.deep.equal([]);
        expect(await page.evaluate(() => document.documentElement.lang)).to.equal(lang);
        for (const id of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']) {
          expect(await page.locator(`section#${id} h2`).isVisible(), id).to.equal(true);
          expect(await page.locator(`#checklist a[href="#${id}"]`).isVisible(), id).to.equal(true);
        }
        await page.screenshot({ path: join(TEST_OUTPUT_DIR, `${name}.${lang}.png`), fullPage: true });
      } finally {
        await page.close();
      }
    });
  }

  it('shows a hostile greeting with <script> as text and runs nothing', async () => {
    const { page, consoleErrors } = await load('hostile', 'en');
    try {
      expect(await page.evaluate(() => document.scripts.length)).to.equal(0);
      expect(await page.evaluate(() => document.querySelectorAll('img, iframe, object, embed').length)).to.equal(0);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).to.equal(undefined);
      // The open host's greeting, unfolded, reads exactly as the host sent it.
      await page.locator('section#P6 details > summary').first().click();
      const greeting = page.locator('section#P6 pre', { hasText: '<script>window.__pwned = 1;' }).first();
      expect(await greeting.isVisible()).to.equal(true);
      expect(await greeting.textContent()).to.equal(
        '220 <script>window.__pwned = 1; alert(1)</script> <img src=x onerror="window.__pwned = 2"> ESMTP',
      );
      expect(await page.locator('h1').textContent()).to.equal('Port 25 audit: Hostile & <Friends> "ISP"');
      await greeting.screenshot({ path: join(TEST_OUTPUT_DIR, 'hostile-greeting.png') });
      expect(consoleErrors).to.deep.equal([]);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).to.equal(undefined);
    } finally {
      await page.close();
    }
  });

  it('keeps every badge at WCAG AA contrast (4.5:1) and names its status in words', async () => {
    const { page } = await load('mixed', 'en');
    try {
      const badges = await page.locator('.badge').evaluateAll((elements) =>
        elements.map((element) => {
          const style = getComputedStyle(element);
          return { text: element.textContent ?? '', color: style.color, background: style.backgroundColor };
        }),
      );
      expect(badges.length).to.be.greaterThan(30);
      for (const badge of badges) {
        expect(contrast(badge.color, badge.background), `${badge.text}: ${badge.color} on ${badge.background}`).to.be.at.least(4.5);
        expect(badge.text).to.match(/Pass|Warning|Fail|Error|Not tested/);
      }
    } finally {
      await page.close();
    }
  });

  it('is readable with JavaScript off and keyboard-navigable: the skip link leads to the checklist', async () => {
    const page = await context.newPage();
    try {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
      const file = join(TEST_OUTPUT_DIR, 'mixed.en.html');
      writeFileSync(file, renderHtml(loadReport('mixed'), { lang: 'en' }));
      await page.goto(pathToFileURL(file).href);
      for (const id of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']) expect(await page.locator(`section#${id} h2`).isVisible(), id).to.equal(true);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).to.equal('Skip to the checklist');
      expect(await page.locator('.skip-link').isVisible()).to.equal(true);
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => location.hash)).to.equal('#checklist');
      // The evidence folds open without any script.
      await page.locator('section#P1 details > summary').first().click();
      expect(await page.locator('section#P1 details').first().getAttribute('open')).to.equal('');
    } finally {
      await page.close();
    }
  });

  it('prints with every evidence fold open, as an auditor saves it as PDF', async () => {
    const { page } = await load('mixed', 'en');
    try {
      const transcript = page.locator('pre.transcript').first();
      expect(await transcript.evaluate((element) => element.checkVisibility())).to.equal(false);
      await page.emulateMedia({ media: 'print' });
      expect(await transcript.evaluate((element) => element.checkVisibility())).to.equal(true);
      expect(await page.locator('.skip-link').evaluate((element) => getComputedStyle(element).display)).to.equal('none');
      const pdf = join(TEST_OUTPUT_DIR, 'mixed.en.pdf');
      await page.pdf({ path: pdf, format: 'A4', printBackground: true });
      expect(statSync(pdf).size).to.be.greaterThan(50_000);
    } finally {
      await page.close();
    }
  });
});
