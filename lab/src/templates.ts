/**
 * The lab's configuration templates (lab/templates/): Postfix, Dovecot,
 * dnsmasq and nftables files with `{{NAME}}` placeholders, filled in at `up`
 * and at each scenario switch.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TEMPLATE_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

/** The templates, by path under lab/templates/. */
export type TemplateName = 'postfix/main.cf' | 'postfix/master.cf' | 'dovecot/dovecot.conf' | 'dnsmasq/dnsmasq.conf' | 'nftables/router.nft';

/**
 * The template with every `{{NAME}}` replaced by `values[NAME]`. Throws when a
 * placeholder has no value or a value has no placeholder: a typo in either
 * would otherwise leave a daemon half-configured.
 *
 * @example fillTemplate('nftables/router.nft', { SCENARIO: 'compliant', FAMILY: 'inet', FORWARD_RULES: '', NAT_TABLE: '' })
 */
export function fillTemplate(name: TemplateName, values: Record<string, string>): string {
  const text = readFileSync(`${TEMPLATE_DIR}${name}`, 'utf8');
  const used = new Set<string>();
  const filled = text.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`lab/templates/${name}: placeholder {{${key}}} has no value`);
    used.add(key);
    return value;
  });
  const unused = Object.keys(values).filter((key) => !used.has(key));
  if (unused.length > 0) throw new Error(`lab/templates/${name}: no placeholder for ${unused.join(', ')}`);
  return filled;
}
