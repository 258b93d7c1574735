/**
 * `--format html`: one self-contained page for auditors. No scripts, no
 * external assets (a Content-Security-Policy forbids both), print-ready, and
 * accessible: landmarks, a real heading outline, status as icon and word.
 * Everything a scanned host sent is shown as escaped text.
 */
import { createHash } from 'node:crypto';
import { REFERENCES, type CheckResult, type PracticeResult, type Report, type ReportVantage, type Status } from '@port25-audit/core';
import { inboundEvidence, isTranscriptKey, transcriptLines, upperBoundPercent, type InboundEvidence } from './evidence.js';
import { checkTitle, remedyFor } from './i18n/checks.js';
import { localizedSummary } from './i18n/messages.js';
import { PRACTICE_TEXT } from './i18n/practices.js';
import { uiText, type Lang, type UiText } from './i18n/ui.js';
import { utcInstant } from './instant.js';
import { htmlText, visibleControls } from './peer-text.js';
import { STYLESHEET } from './html-stylesheet.js';
import { COUNT_ORDER, countChecks } from './status.js';

export interface HtmlOptions {
  /** Language of every fixed text; data (targets, evidence) stays as recorded. Default `en`. */
  lang?: Lang;
}

/** Icon per status; the word always follows, so no status is told by colour or icon alone. */
export const STATUS_ICON: Record<Status, string> = {
  pass: '✓',
  warn: '⚠\uFE0E',
  fail: '✗',
  error: '!',
  skip: '○',
};

// Nested evidence deeper than this is shown as JSON text: a table per level stops helping a reader.
const MAX_TABLE_DEPTH = 6;
/**
 * Items of one evidence list shown at most; the rest is counted. A peer decides
 * how long some lists are (a certificate may carry 10,000 names): the page
 * stays readable, and the JSON report keeps them all.
 */
export const MAX_LIST_ITEMS = 100;

/** Escaped display text of a string that may come from a host. */
function text(value: string): string {
  return htmlText(visibleControls(value));
}

function badge(status: Status, t: UiText, extra = ''): string {
  return `<span class="badge badge-${status}${extra}"><span class="icon" aria-hidden="true">${STATUS_ICON[status]}</span>${htmlText(t.status[status])}</span>`;
}

/** `2025-03-01 09:00:00 UTC` inside `<time>`; a string that is no date is shown as it is. */
function instant(iso: string | null, t: UiText): string {
  if (iso === null) return `<span class="none">${htmlText(t.notFinished)}</span>`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return text(iso);
  // Date and time wrap as two units, never inside one.
  const [day = '', ...clock] = utcInstant(iso).split(' ');
  return `<time datetime="${htmlText(date.toISOString())}"><span class="nowrap">${htmlText(day)}</span> <span class="nowrap">${htmlText(clock.join(' '))}</span></time>`;
}

function countsLine(counts: Record<Status, number>, t: UiText): string {
  const parts = COUNT_ORDER.filter((status) => counts[status] > 0).map((status) => `${t.number(counts[status])} ${t.statusCount[status]}`);
  return parts.length === 0 ? '0' : parts.join(' · ');
}

function practiceTitle(practice: PracticeResult, lang: Lang): string {
  return lang === 'de' ? (PRACTICE_TEXT[practice.id]?.titleDe ?? practice.title) : practice.title;
}

function referenceLink(id: string): string {
  const known = (REFERENCES as Record<string, { title: string; url: string } | undefined>)[id];
  const rfc = /^RFC (\d{1,5})$/.exec(id);
  const url = known?.url ?? (rfc === null ? null : `https://www.rfc-editor.org/rfc/rfc${rfc[1]}`);
  if (url === null) return text(id);
  const title = known === undefined ? '' : ` title="${htmlText(known.title)}"`;
  return `<a href="${htmlText(url)}"${title}>${text(id)}</a>`;
}

// ---------------------------------------------------------------- summary

function vantageRow(vantage: ReportVantage, t: UiText): string {
  const complete = vantage.complete ? htmlText(t.yes) : `<strong>${htmlText(t.incomplete)}</strong>`;
  return (
    `<tr><td>${htmlText(t.vantage[vantage.kind])}</td><td>${text(vantage.label)}</td><td><code>${text(vantage.host)}</code></td>` +
    `<td>${instant(vantage.startedAt, t)}</td><td>${instant(vantage.finishedAt, t)}</td>` +
    `<td class="num">${t.number(vantage.shards)}</td><td>${complete}</td></tr>`
  );
}

function summarySection(report: Report, t: UiText): string {
  const c = Object.fromEntries(Object.entries(t.vantageColumns).map(([key, label]) => [key, htmlText(label)])) as UiText['vantageColumns'];
  const vantages =
    report.vantages.length === 0
      ? `<p class="none">${htmlText(t.noVantages)}</p>`
      : `<div class="table-scroll"><table class="vantages"><caption>${htmlText(t.vantages)}</caption>` +
        `<thead><tr><th scope="col">${c.kind}</th><th scope="col">${c.label}</th><th scope="col">${c.host}</th>` +
        `<th scope="col">${c.started}</th><th scope="col">${c.finished}</th><th scope="col" class="num">${c.shards}</th>` +
        `<th scope="col">${c.complete}</th></tr></thead><tbody>${report.vantages.map((v) => vantageRow(v, t)).join('')}</tbody></table></div>`;
  const countRows = COUNT_ORDER.map(
    (status) => `<tr><th scope="row">${badge(status, t)}</th><td class="num">${t.number(report.counts[status])}</td></tr>`,
  ).join('');
  return `<section class="card summary" aria-labelledby="summary-heading">
<h2 id="summary-heading">${htmlText(t.summary)}</h2>
<div class="summary-grid">
<dl class="facts">
<dt>${htmlText(t.plan)}</dt><dd>${text(report.plan.name)}</dd>
<dt>${htmlText(t.planDigest)}</dt><dd><code>${text(report.plan.digest)}</code></dd>
<dt>${htmlText(t.tool)}</dt><dd>${text(report.tool.name)} ${text(report.tool.version)}</dd>
<dt>${htmlText(t.generated)}</dt><dd>${instant(report.generatedAt, t)}</dd>
<dt>${htmlText(t.overall)}</dt><dd>${badge(report.status, t)}</dd>
</dl>
<table class="counts"><caption>${htmlText(t.checkResultsCaption)}</caption>
<thead><tr><th scope="col">${htmlText(t.resultColumn)}</th><th scope="col" class="num">${htmlText(t.numberColumn)}</th></tr></thead>
<tbody>${countRows}</tbody></table>
</div>
${vantages}
</section>`;
}

function checklistNav(report: Report, lang: Lang, t: UiText): string {
  const items = report.practices
    .map(
      (practice) =>
        `<li><span class="pid">${htmlText(practice.id)}</span><a href="#${htmlText(practice.id)}">${text(practiceTitle(practice, lang))}</a>` +
        `${badge(practice.status, t)}<span class="counts">${htmlText(countsLine(countChecks(practice.checks), t))}</span></li>`,
    )
    .join('\n');
  return `<nav class="card" id="checklist" aria-labelledby="checklist-heading">
<h2 id="checklist-heading">${htmlText(t.checklist)}</h2>
<p class="intro">${htmlText(t.checklistIntro)}</p>
<ol class="checklist">
${items}
</ol>
</nav>`;
}

// ---------------------------------------------------------------- evidence

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

// What a peer sent is shown verbatim in a monospace block, so that spacing and escapes stay visible.
const PEER_TEXT_KEY = /greeting|banner|reply|response|transcript|line/i;

function scalarHtml(value: unknown, t: UiText, key = ''): string {
  if (value === null) return '<span class="none">null</span>';
  if (typeof value === 'string') {
    if (value === '') return `<span class="none">${htmlText(t.empty)}</span>`;
    if (value.includes('\n') || value.includes('\r') || PEER_TEXT_KEY.test(key)) return `<pre>${text(value)}</pre>`;
    return `<span class="value">${text(value)}</span>`;
  }
  return `<code>${htmlText(String(value))}</code>`;
}

function flatRecords(value: unknown[]): string[] | null {
  const columns: string[] = [];
  for (const item of value) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return null;
    for (const [key, v] of Object.entries(item)) {
      if (!isScalar(v)) return null;
      if (!columns.includes(key)) columns.push(key);
    }
  }
  return columns.length > 0 && columns.length <= 8 ? columns : null;
}

function valueHtml(key: string, value: unknown, depth: number, t: UiText): string {
  if (isTranscriptKey(key)) {
    const lines = transcriptLines(value);
    if (lines !== null) return `<pre class="transcript">${lines.map(htmlText).join('\n')}</pre>`;
  }
  if (isScalar(value)) return scalarHtml(value, t, key);
  if (depth >= MAX_TABLE_DEPTH) return `<pre>${text(JSON.stringify(value, null, 2))}</pre>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '<span class="none">[]</span>';
    const shown = value.slice(0, MAX_LIST_ITEMS);
    const more = value.length > shown.length ? htmlText(t.moreItems(shown.length, value.length)) : null;
    if (value.every(isScalar)) {
      return `<ul>${shown.map((item) => `<li>${scalarHtml(item, t)}</li>`).join('')}${more === null ? '' : `<li class="none">${more}</li>`}</ul>`;
    }
    const columns = flatRecords(value);
    if (columns !== null) {
      const head = columns.map((column) => `<th scope="col">${text(column)}</th>`).join('');
      const rows = shown
        .map((item) => `<tr>${columns.map((column) => `<td>${scalarHtml((item as Record<string, unknown>)[column] ?? null, t, column)}</td>`).join('')}</tr>`)
        .join('');
      const tail = more === null ? '' : `<tr><td class="none" colspan="${columns.length}">${more}</td></tr>`;
      return `<div class="table-scroll"><table><thead><tr>${head}</tr></thead><tbody>${rows}${tail}</tbody></table></div>`;
    }
    return `<ol>${shown.map((item) => `<li>${valueHtml('', item, depth + 1, t)}</li>`).join('')}${more === null ? '' : `<li class="none">${more}</li>`}</ol>`;
  }
  return objectTable(value as Record<string, unknown>, depth + 1, t);
}

function objectTable(record: Record<string, unknown>, depth: number, t: UiText): string {
  const entries = Object.entries(record);
  if (entries.length === 0) return '<span class="none">{}</span>';
  const rows = entries.map(([key, value]) => `<tr><th scope="row">${text(key)}</th><td>${valueHtml(key, value, depth, t)}</td></tr>`).join('');
  return `<table><tbody>${rows}</tbody></table>`;
}

/** P6 in words, shown next to the finding: the bound is the number an auditor quotes. */
function inboundSentences(inbound: InboundEvidence, t: UiText): string[] {
  if (inbound.sampleSize === 0 || inbound.upperBound95 === null) return [t.inboundNoSample];
  if (inbound.census) return [t.inboundCensus(inbound.open, inbound.sampleSize, inbound.port)];
  const sentences = [t.inboundSampled(inbound.open, inbound.sampleSize, inbound.port)];
  if (inbound.upperBound95 < 1) sentences.unshift(t.inboundBound(upperBoundPercent(inbound.upperBound95, t.decimal), inbound.port));
  return sentences;
}

function inboundTables(inbound: InboundEvidence, t: UiText): string {
  const counts = inbound.counts
    .map(([outcome, n]) => `<tr><th scope="row">${text((t.outcome as Record<string, string>)[outcome] ?? outcome)}</th><td class="num">${t.number(n)}</td></tr>`)
    .join('');
  let html = `<table class="compact"><caption>${htmlText(t.inboundCounts)}</caption><tbody>${counts}</tbody></table>`;
  if (inbound.openHosts.length > 0) {
    const rows = inbound.openHosts
      .map(
        (host) =>
          `<tr><td><code>${text(host.address)}</code></td><td class="num"><code>${host.port ?? ''}</code></td>` +
          `<td>${host.greeting === null ? '<span class="none">—</span>' : `<pre>${text(host.greeting)}</pre>`}</td></tr>`,
      )
      .join('');
    html +=
      `<div class="table-scroll"><table><caption>${htmlText(t.inboundOpenHosts)}</caption>` +
      `<thead><tr><th scope="col">${htmlText(t.address)}</th><th scope="col" class="num">${htmlText(t.port)}</th>` +
      `<th scope="col">${htmlText(t.greeting)}</th></tr></thead><tbody>${rows}</tbody></table></div>`;
    if (inbound.open > inbound.openHosts.length) html += `<p>${htmlText(t.inboundMoreOpen(inbound.openHosts.length, inbound.open))}</p>`;
  }
  return html;
}

function evidenceDetails(check: CheckResult, inbound: InboundEvidence | null, t: UiText): string {
  const rest = Object.fromEntries(
    Object.entries(check.evidence).filter(([key]) => inbound === null || (key !== 'counts' && key !== 'openHosts')),
  );
  const parts: string[] = [];
  if (inbound !== null) parts.push(inboundTables(inbound, t));
  if (Object.keys(rest).length > 0) parts.push(`<div class="evidence">${objectTable(rest, 0, t)}</div>`);
  const where: Array<[string, string | number | undefined]> = [
    [t.address, check.address],
    [t.port, check.port],
    [t.family, check.family],
  ];
  const known = where.filter((pair): pair is [string, string | number] => pair[1] !== undefined);
  if (known.length > 0) {
    const items = known.map(([label, value]) => `<div><dt>${htmlText(label)}</dt><dd><code>${text(String(value))}</code></dd></div>`);
    parts.unshift(`<dl class="meta">${items.join('')}</dl>`);
  }
  const body = parts.length === 0 ? `<p class="none">${htmlText(t.noEvidence)}</p>` : parts.join('\n');
  return `<details><summary>${htmlText(t.evidence)}</summary>\n${body}\n</details>`;
}

// ---------------------------------------------------------------- practices and checks

function checkArticle(check: CheckResult, anchor: string, lang: Lang, t: UiText): string {
  const inbound = check.id.startsWith('P6.') ? inboundEvidence(check.evidence, check.port) : null;
  const remedy = remedyFor(check, lang);
  const lines = [
    `<article class="check check-${check.status}" aria-labelledby="${anchor}">`,
    `<h3 id="${anchor}">${badge(check.status, t)}<span>${text(checkTitle(check.id, lang))}</span></h3>`,
    `<dl class="meta"><div><dt>${htmlText(t.target)}</dt><dd><code>${text(check.target)}</code></dd></div>` +
      `<div><dt>${htmlText(t.vantageLabel)}</dt><dd>${htmlText(t.vantage[check.vantage] ?? check.vantage)}</dd></div>` +
      `<div><dt>${htmlText(t.checkId)}</dt><dd><code>${text(check.id)}</code></dd></div></dl>`,
    `<p class="finding"><span class="label">${htmlText(t.finding)}:</span> ${text(localizedSummary(check, lang))}</p>`,
  ];
  if (inbound !== null) {
    const [first = '', ...more] = inboundSentences(inbound, t);
    lines.push(`<p class="bound"><strong>${htmlText(first)}</strong>${more.map((sentence) => ` ${htmlText(sentence)}`).join('')}</p>`);
  }
  if (remedy !== null) lines.push(`<div class="todo"><h4>${htmlText(t.whatToDo)}</h4><p>${htmlText(remedy)}</p></div>`);
  lines.push(evidenceDetails(check, inbound, t), '</article>');
  return lines.join('\n');
}

function practiceSection(practice: PracticeResult, lang: Lang, t: UiText): string {
  const words = PRACTICE_TEXT[practice.id];
  const id = htmlText(practice.id);
  const checks =
    practice.checks.length === 0
      ? `<p class="none">${htmlText(t.noChecks)}</p>`
      : practice.checks.map((check, index) => checkArticle(check, `${id}-check-${index + 1}`, lang, t)).join('\n');
  const statement =
    words === undefined
      ? ''
      : `<blockquote class="statement"><p>${htmlText(words.statement[lang])}</p><footer>— ${htmlText(t.recommendationSource(Number(practice.id.slice(1))))}</footer></blockquote>\n`;
  const method = words === undefined ? '' : `<p class="method"><span class="label">${htmlText(t.howTested)}:</span> ${htmlText(words.howTested[lang])}</p>\n`;
  const references =
    practice.references.length === 0
      ? ''
      : `<p class="refs"><span class="label">${htmlText(t.references)}:</span> ${practice.references.map(referenceLink).join(', ')}</p>\n`;
  return `<section class="card practice" id="${id}" aria-labelledby="${id}-heading">
<header><h2 id="${id}-heading"><span class="pid">${id}</span>${text(practiceTitle(practice, lang))}</h2>${badge(practice.status, t, ' badge-large')}</header>
${statement}${references}${method}${checks}
</section>`;
}

/**
 * The report as one self-contained HTML page (no scripts, no external assets):
 * summary, the six practices as a checklist, and per check the target, the
 * finding, what to do, and the evidence behind a `<details>` fold.
 *
 * @example writeFileSync('report.html', renderHtml(report, { lang: 'de' }))
 */
export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const lang = options.lang ?? 'en';
  const t = uiText(lang);
  const styleHash = createHash('sha256').update(STYLESHEET).digest('base64');
  // No script may run even if escaping were wrong: the page needs none.
  const policy = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const practiceCounts: Record<Status, number> = { pass: 0, warn: 0, fail: 0, skip: 0, error: 0 };
  for (const practice of report.practices) practiceCounts[practice.status] += 1;
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${htmlText(policy)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${text(`${report.tool.name} ${report.tool.version}`)}">
<title>${text(t.documentTitle(report.plan.name))} · ${htmlText(t.status[report.status])}</title>
<link rel="icon" href="data:,">
<style>${STYLESHEET}</style>
</head>
<body>
<a class="skip-link" href="#checklist">${htmlText(t.skipToChecklist)}</a>
<header class="masthead">
<div class="wrap">
<p class="eyebrow">${htmlText(t.eyebrow)}</p>
<h1>${text(t.heading(report.plan.name))}</h1>
<p class="verdict">${badge(report.status, t, ' badge-large')}<span class="line">${htmlText(t.practicesLine(countsLine(practiceCounts, t)))}</span></p>
</div>
</header>
<main class="wrap">
${summarySection(report, t)}
${checklistNav(report, lang, t)}
${report.practices.map((practice) => practiceSection(practice, lang, t)).join('\n')}
</main>
<footer class="wrap page-footer">
<p>${text(t.footer(`${report.tool.name} ${report.tool.version}`, report.plan.digest))}</p>
</footer>
</body>
</html>
`;
}
