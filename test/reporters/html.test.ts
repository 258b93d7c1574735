import { expect } from 'chai';
import type { Report } from '@port25-audit/core';
import { CHECK_TEXT, PRACTICE_TEXT, renderHtml } from '@port25-audit/reporters';
import { loadReport } from './report-fixtures.js';

function count(html: string, pattern: RegExp): number {
  return (html.match(pattern) ?? []).length;
}

/** The mixed report with P6's upper bound replaced, to see how the sentence rounds. */
function withBound(upperBound95: number | null, extra: Record<string, unknown> = {}): Report {
  const report = loadReport('mixed');
  const p6 = report.practices[5]!;
  const check = p6.checks[0]!;
  return {
    ...report,
    practices: [...report.practices.slice(0, 5), { ...p6, checks: [{ ...check, evidence: { ...check.evidence, upperBound95, ...extra } }] }],
  };
}

describe('reporters: renderHtml', () => {
  it('is one self-contained document: no script, no external stylesheet, image, font or frame', () => {
    for (const lang of ['en', 'de'] as const) {
      const html = renderHtml(loadReport('mixed'), { lang });
      expect(html.startsWith('<!DOCTYPE html>\n<html lang="' + lang + '">')).to.equal(true);
      expect(html).to.not.match(/<script|<iframe|<object|<embed|<img|@import|url\(/i);
      expect(html).to.not.match(/\ssrc=/i);
      expect(count(html, /<link /g)).to.equal(1);
      expect(html).to.include('<link rel="icon" href="data:,">');
      expect(html).to.match(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-[A-Za-z0-9+/=]+&#39;/);
      expect(count(html, /<style>/g)).to.equal(1);
    }
  });

  it('has landmarks and a real heading outline: one h1, a h2 per section, a h3 per check', () => {
    const report = loadReport('mixed');
    const html = renderHtml(report);
    for (const landmark of ['<header class="masthead">', '<main class="wrap">', '<nav class="card" id="checklist"', '<footer class="wrap page-footer">']) {
      expect(html).to.include(landmark);
    }
    expect(count(html, /<h1[ >]/g)).to.equal(1);
    expect(count(html, /<h2[ >]/g)).to.equal(2 + 6);
    expect(count(html, /<h3[ >]/g)).to.equal(report.practices.reduce((n, practice) => n + practice.checks.length, 0));
    for (const id of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']) {
      expect(html).to.include(`<section class="card practice" id="${id}" aria-labelledby="${id}-heading">`);
      expect(html).to.include(`<a href="#${id}">`);
    }
  });

  it('opens with the summary: plan, vantages with dates, tool version, overall status and counts', () => {
    const html = renderHtml(loadReport('mixed'));
    const summary = html.slice(html.indexOf('<section class="card summary"'), html.indexOf('<nav'));
    expect(summary).to.include('<dd>Example ISP</dd>');
    expect(summary).to.include('port25-audit 0.1.0');
    expect(summary).to.include('<time datetime="2025-03-01T09:10:00.000Z"><span class="nowrap">2025-03-01</span> <span class="nowrap">09:10:00 UTC</span></time>');
    expect(summary).to.include('dsl-pool-zurich');
    expect(summary).to.include('audit-probe-1.example.com');
    expect(summary).to.include('<dt>Overall result</dt><dd><span class="badge badge-fail"><span class="icon" aria-hidden="true">✗</span>Fail</span></dd>');
    expect(summary).to.match(/Pass<\/span><\/th><td class="num">12<\/td>/);
    expect(summary).to.match(/Not tested<\/span><\/th><td class="num">2<\/td>/);
  });

  it('tells every status by word next to its icon, never by colour alone', () => {
    const html = renderHtml(loadReport('mixed'));
    const badges = html.match(/<span class="badge badge-(\w+)[^"]*"><span class="icon" aria-hidden="true">[^<]+<\/span>([^<]+)<\/span>/g) ?? [];
    expect(badges.length).to.be.greaterThan(30);
    const words = new Set(badges.map((badge) => badge.replace(/.*<\/span>([^<]+)<\/span>$/, '$1')));
    expect(words).to.have.keys('Pass', 'Warning', 'Fail', 'Error', 'Not tested');
    expect(count(html, /class="badge /g)).to.equal(badges.length);
  });

  it('shows each practice with its MAAWG statement, references and how it is tested, in both languages', () => {
    const en = renderHtml(loadReport('mixed'), { lang: 'en' });
    const de = renderHtml(loadReport('mixed'), { lang: 'de' });
    for (const id of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'] as const) {
      expect(en).to.include(PRACTICE_TEXT[id].statement.en);
      expect(de).to.include(PRACTICE_TEXT[id].statement.de);
      expect(de).to.include(PRACTICE_TEXT[id].titleDe);
    }
    expect(en).to.include('<a href="https://www.rfc-editor.org/rfc/rfc6409" title="Message Submission for Mail">RFC 6409</a>');
    expect(de).to.include('Sperren Sie über Port 25 eingehenden Verkehr zu Ihrem Netzwerk.');
    expect(de).to.include('<h2 id="summary-heading">Zusammenfassung</h2>');
  });

  it('says what to do about every failed, warned or errored check, and only those', () => {
    const report = loadReport('mixed');
    const flagged = report.practices.flatMap((practice) => practice.checks).filter((check) => ['fail', 'warn', 'error'].includes(check.status));
    for (const lang of ['en', 'de'] as const) {
      const html = renderHtml(report, { lang });
      expect(count(html, /<div class="todo">/g), lang).to.equal(flagged.length);
      expect(html).to.include(CHECK_TEXT['P2.no-cleartext-auth']!.remedy[lang].replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
      expect(html).to.include(CHECK_TEXT['P1.certificate']!.warn![lang]);
    }
  });

  it('puts evidence behind <details>: transcripts in <pre>, certificates as tables', () => {
    const html = renderHtml(loadReport('mixed'));
    const articles = count(html, /<article /g);
    expect(count(html, /<details><summary>Evidence<\/summary>/g)).to.equal(articles);
    expect(html).to.include('<pre class="transcript">S: 220 smtp.example.net ESMTP Postfix\nC: EHLO audit.example.net\nS: 250-smtp.example.net');
    expect(html).to.match(/<th scope="row">certificate<\/th><td><table><tbody><tr><th scope="row">subject<\/th><td><span class="value">CN=smtp.example.net<\/span>/);
    expect(html).to.include('<th scope="col">subject</th><th scope="col">issuer</th><th scope="col">notAfter</th>');
  });

  it('says P6 in words: the 95% upper bound on the share of the range that accepts port 25', () => {
    expect(renderHtml(loadReport('compliant'))).to.include('With 95% confidence, fewer than 1.2% of the range accepts inbound port 25.');
    expect(renderHtml(loadReport('compliant'), { lang: 'de' })).to.include(
      'Mit 95 % Konfidenz nehmen weniger als 1,2 % des Bereichs eingehende Verbindungen auf Port 25 an.',
    );
    const mixed = renderHtml(loadReport('mixed'));
    expect(mixed).to.include('<strong>With 95% confidence, fewer than 2.5% of the range accepts inbound port 25.</strong> 2 of 256 sampled addresses accepted a connection on port 25.');
    expect(mixed).to.include('<code>203.0.113.77</code>');
    expect(renderHtml(loadReport('untested'))).to.include('Every address in scope was probed: 0 of 8 accept inbound port 25.');
  });

  it('rounds the bound up, so that the sentence stays true', () => {
    expect(renderHtml(withBound(0.01))).to.include('fewer than 1.0% of the range');
    expect(renderHtml(withBound(0.010001))).to.include('fewer than 1.1% of the range');
    expect(renderHtml(withBound(0.000117))).to.include('fewer than 0.012% of the range');
    expect(renderHtml(withBound(0.000117), { lang: 'de' })).to.include('weniger als 0,012 % des Bereichs');
    expect(renderHtml(withBound(0.5))).to.include('fewer than 50.0% of the range');
    expect(renderHtml(withBound(1))).to.not.include('of the range accepts');
    expect(renderHtml(withBound(null, { sampleSize: 0 }))).to.include('No sampled address could be tested');
  });

  it('escapes everything a host sent and makes control characters visible', () => {
    for (const lang of ['en', 'de'] as const) {
      const html = renderHtml(loadReport('hostile'), { lang });
      expect(html).to.not.match(/<script|<img|<b>|onerror="/i);
      expect(html).to.include('220 &lt;script&gt;window.__pwned = 1; alert(1)&lt;/script&gt; &lt;img src=x onerror=&quot;window.__pwned = 2&quot;&gt; ESMTP');
      expect(html).to.include('Hostile &amp; &lt;Friends&gt; &quot;ISP&quot;');
      expect(html).to.include('220 mx\\x00NUL\\x07BEL\\x08BS\\x0BVT\\x0CFF\\x1B[31mRED\\x1B[0m\\x9B2J C1\\x7FDEL ok');
      expect(html).to.include('220 ]]&gt; &lt;![CDATA[ x ]]&gt; &amp;amp; &amp; &quot;quoted&quot; &#39;single&#39;');
      expect(html).to.include('safe\\u202Egnp.exe');
      expect(html).to.include('=HYPERLINK(&quot;http://evil.example/&quot;,&quot;click me&quot;)');
      expect(html).to.not.match(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]/);
      expect(html).to.not.match(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      // A URL a plan or host gave is text, never a link.
      expect(html).to.not.include('href="javascript:');
      expect(html).to.include('A'.repeat(3000));
    }
  });

  it('is pure: the same report renders to the same bytes', () => {
    const report = loadReport('mixed');
    expect(renderHtml(report, { lang: 'de' })).to.equal(renderHtml(structuredClone(report), { lang: 'de' }));
  });
});
