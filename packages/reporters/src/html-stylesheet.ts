/**
 * The one stylesheet of the HTML report, inlined: no external assets, no
 * fonts to fetch. Every text/background pair meets WCAG 2.1 AA (4.5:1); the
 * browser test measures the badges. The print part makes the report a PDF an
 * auditor can hand over: evidence unfolded, colours kept, no navigation aids.
 */
export const STYLESHEET = `
:root {
  color-scheme: light;
  --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --paper: #ffffff; --canvas: #f6f8fa;
  --navy: #0b3d62; --link: #0969da;
  --pass-fg: #116329; --pass-bg: #dafbe1; --pass-edge: #1a7f37;
  --warn-fg: #7d4e00; --warn-bg: #fff8c5; --warn-edge: #bf8700;
  --fail-fg: #a40e26; --fail-bg: #ffebe9; --fail-edge: #cf222e;
  --error-fg: #6639ba; --error-bg: #f5e8ff; --error-edge: #8250df;
  --skip-fg: #424a53; --skip-bg: #eaeef2; --skip-edge: #6e7781;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--canvas); color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
}
a { color: var(--link); }
a:focus-visible, summary:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
code, pre, .mono { font-family: var(--mono); font-size: 0.875em; }
.skip-link { position: absolute; left: -9999px; top: 0; background: var(--paper); color: var(--link); padding: 0.5rem 1rem; z-index: 1; }
.skip-link:focus { left: 1rem; top: 1rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

.masthead { background: var(--navy); color: #ffffff; }
.masthead .wrap { padding: 1.75rem 1.5rem 1.5rem; }
.eyebrow { margin: 0 0 0.35rem; color: #cfe3f5; font-size: 0.8rem; letter-spacing: 0.06em; text-transform: uppercase; }
.masthead h1 { margin: 0 0 0.9rem; font-size: 1.9rem; line-height: 1.2; overflow-wrap: anywhere; }
.verdict { display: flex; flex-wrap: wrap; align-items: center; gap: 0.6rem 1rem; margin: 0; }
.verdict .line { color: #ffffff; }
.wrap { max-width: 66rem; margin: 0 auto; padding: 0 1.5rem; }
main.wrap { padding-top: 1.5rem; padding-bottom: 1rem; }

.card { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem 1.5rem; margin: 0 0 1.25rem; }
.card > h2 { margin: 0 0 1rem; font-size: 1.3rem; }
.summary-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(19rem, 1fr)); gap: 1rem 2rem; }
.facts { margin: 0; display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem; }
.facts dt { color: var(--muted); font-weight: 600; }
.facts dd { margin: 0; overflow-wrap: anywhere; }

table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 0 0 0.4rem; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--canvas); border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.vantages { margin-top: 1.25rem; }
.nowrap { white-space: nowrap; }
table.compact { width: auto; min-width: 16rem; margin-bottom: 0.75rem; }
table.compact caption { white-space: nowrap; }
.table-scroll { overflow-x: auto; }

.badge {
  display: inline-flex; align-items: center; gap: 0.3rem; white-space: nowrap;
  padding: 0.1rem 0.55rem; border: 1px solid; border-radius: 999px;
  font-size: 0.8rem; font-weight: 700; line-height: 1.5; vertical-align: middle;
}
.badge .icon { font-weight: 700; }
.badge-pass { color: var(--pass-fg); background: var(--pass-bg); border-color: var(--pass-edge); }
.badge-warn { color: var(--warn-fg); background: var(--warn-bg); border-color: var(--warn-edge); }
.badge-fail { color: var(--fail-fg); background: var(--fail-bg); border-color: var(--fail-edge); }
.badge-error { color: var(--error-fg); background: var(--error-bg); border-color: var(--error-edge); }
.badge-skip { color: var(--skip-fg); background: var(--skip-bg); border-color: var(--skip-edge); }
.badge-large { font-size: 1rem; padding: 0.2rem 0.8rem; }

.intro { margin: -0.4rem 0 1rem; color: var(--muted); }
.checklist { list-style: none; margin: 0; padding: 0; }
.checklist li { display: grid; grid-template-columns: 2.6rem 1fr auto; gap: 0.25rem 0.75rem; align-items: baseline; padding: 0.65rem 0; border-top: 1px solid var(--line); }
.checklist li:first-child { border-top: 0; }
.checklist .pid { font-weight: 700; color: var(--navy); }
.checklist .counts { grid-column: 2; color: var(--muted); font-size: 0.85rem; }
.checklist .badge { grid-row: 1; grid-column: 3; justify-self: end; }

.practice > header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.5rem 1rem; margin-bottom: 0.75rem; }
.practice h2 { margin: 0; font-size: 1.3rem; line-height: 1.3; flex: 1 1 20rem; }
.practice h2 .pid { color: var(--navy); margin-right: 0.35rem; }
.statement { margin: 0 0 0.9rem; padding: 0.75rem 1rem; background: var(--canvas); border-left: 4px solid var(--navy); border-radius: 0 6px 6px 0; }
.statement p { margin: 0 0 0.35rem; font-size: 1.02rem; }
.statement footer { color: var(--muted); font-size: 0.8rem; }
.refs, .method { margin: 0 0 0.6rem; font-size: 0.92rem; }
.refs .label, .method .label { font-weight: 600; }
.method { color: var(--muted); }
.checks-heading { font-size: 1rem; margin: 1.1rem 0 0.6rem; }

.check { border: 1px solid var(--line); border-left: 6px solid var(--skip-edge); border-radius: 6px; padding: 0.75rem 1rem; margin: 0 0 0.75rem; }
.check-pass { border-left-color: var(--pass-edge); }
.check-warn { border-left-color: var(--warn-edge); }
.check-fail { border-left-color: var(--fail-edge); }
.check-error { border-left-color: var(--error-edge); }
.check h3 { margin: 0 0 0.4rem; font-size: 1rem; display: flex; flex-wrap: wrap; gap: 0.35rem 0.6rem; align-items: center; }
.meta { display: flex; flex-wrap: wrap; gap: 0.2rem 1.25rem; margin: 0 0 0.4rem; font-size: 0.85rem; color: var(--muted); }
.meta div { display: flex; gap: 0.35rem; min-width: 0; }
.meta dt { font-weight: 600; }
.meta dt::after { content: ":"; }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.meta code { color: var(--ink); }
.finding { margin: 0.2rem 0 0.5rem; overflow-wrap: anywhere; }
.finding .label { font-weight: 600; }
.bound { margin: 0.2rem 0 0.5rem; padding: 0.5rem 0.75rem; background: var(--canvas); border: 1px solid var(--line); border-radius: 6px; }
.bound strong { display: block; color: var(--navy); }
.todo { margin: 0.5rem 0; padding: 0.6rem 0.9rem; border: 1px solid #54aeff; background: #ddf4ff; border-radius: 6px; color: var(--ink); }
.todo h4 { margin: 0 0 0.2rem; font-size: 0.9rem; color: #0550ae; }
.todo p { margin: 0; font-size: 0.92rem; }
details { margin-top: 0.4rem; }
summary { cursor: pointer; color: var(--link); font-weight: 600; font-size: 0.9rem; }
details[open] > summary { margin-bottom: 0.5rem; }
.evidence th[scope="row"] { width: 1%; white-space: nowrap; font-family: var(--mono); font-size: 0.8rem; font-weight: 600; color: var(--muted); }
.evidence table { font-size: 0.85rem; }
.evidence td > table { margin: -0.25rem 0; }
.evidence ul { margin: 0; padding-left: 1.1rem; }
.evidence ol { margin: 0; padding-left: 1.4rem; }
pre {
  margin: 0.25rem 0; padding: 0.6rem 0.75rem; background: var(--canvas); border: 1px solid var(--line); border-radius: 6px;
  white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.45;
}
.value { overflow-wrap: anywhere; }
.none { color: var(--muted); }

.page-footer { color: var(--muted); font-size: 0.85rem; padding-bottom: 2rem; }

@media (max-width: 40rem) {
  .wrap { padding: 0 0.9rem; }
  .card { padding: 1rem; }
  .facts { grid-template-columns: 1fr; }
  .checklist li { grid-template-columns: 2.2rem 1fr; }
  .checklist .badge { grid-row: auto; grid-column: 2; justify-self: start; }
}

@media print {
  @page { margin: 14mm 12mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { background: #ffffff; font-size: 10pt; }
  .skip-link { display: none; }
  .masthead { background: #ffffff; color: var(--ink); border-bottom: 2px solid var(--navy); }
  .masthead .wrap { padding: 0 0 0.6rem; }
  .eyebrow { color: var(--muted); }
  .masthead h1 { color: var(--navy); }
  .verdict .line { color: var(--ink); }
  .wrap, main.wrap { max-width: none; padding: 0; }
  main.wrap { padding-top: 0.8rem; }
  .card { border: 0; padding: 0; margin-bottom: 1rem; }
  .practice { break-before: page; }
  h2, h3, h4, .practice > header { break-after: avoid; }
  .check > h3, .check > .meta, .check > .finding { break-after: avoid; }
  pre, tr { break-inside: avoid; }
  details > summary { list-style: none; color: var(--ink); }
  details > summary::-webkit-details-marker { display: none; }
  details::details-content { content-visibility: visible; display: block; }
  a { color: var(--ink); text-decoration: none; }
  .refs a[href]::after { content: " <" attr(href) ">"; font-size: 0.8em; color: var(--muted); }
}
`;
