/**
 * @port25-audit/reporters: pure functions from the report model to text.
 * JSON, JUnit XML, a self-contained HTML page and a terminal table, with
 * English and German texts, and the exit code a report implies.
 */
export { jsonText, renderJson } from './json.js';
export { renderJunit, type JunitOptions } from './junit.js';
export { renderHtml, STATUS_ICON, type HtmlOptions } from './html.js';
export { renderTable, shouldColor, type TableOptions } from './table.js';
export { exitCodeFor, FAIL_ON_CHOICES, type ExitCodeOptions, type FailOn } from './exit-code.js';
export { LANGS, uiText, type Lang, type UiText } from './i18n/ui.js';
export { localizedSummary, MESSAGES_DE, placeholders } from './i18n/messages.js';
export { checkTitle, remedyFor, CHECK_TEXT, type CheckText } from './i18n/checks.js';
export { PRACTICE_TEXT, type PracticeText } from './i18n/practices.js';
export { htmlText, terminalText, visibleControls, xmlAttribute, xmlText } from './peer-text.js';
