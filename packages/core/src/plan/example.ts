/**
 * The annotated plan `port25-audit init` writes: DESIGN.md's example, every
 * section present with a comment saying what it is for. Its values are
 * documentation ranges and names (RFC 5737, RFC 3849, RFC 2606).
 */

const EXAMPLE_PLAN = `# port25-audit audit plan, format version 1.
# Replace the example values with your network's, then run for instance:
#   port25-audit scan --plan plan.yaml --vantage outside
#   port25-audit scan --plan plan.yaml --vantage inside     (from a customer line)
# Only "version" is required; a section left out (or left empty) takes the default shown here.
# Editors: the JSON Schema of this file is @port25-audit/core/schema/plan.schema.json.
version: 1

# Name of the audit, shown in every report.
name: Example ISP

# P6: the residential/dynamic ranges (CIDR) whose hosts must not accept port 25 from outside.
# A seeded sample of "dynamic" is probed; "hosts" (explicit addresses) always; "exclude" never.
scope:
  dynamic: [203.0.113.0/24, "2001:db8:100::/56"]
  hosts: []
  exclude: []

# P5/P6: addresses or ranges allowed to send and receive on port 25 (your own relays).
authorizedRelays: [203.0.113.10, 192.0.2.0/28]

# P1/P2: your mail submission servers; P4: the mail domain whose SRV records and autoconfig are checked.
submission:
  servers: [smtp.example.net]
  domain: example.net

# P3/P5: canaries outside your network, probed from the inside vantage.
# A canary is a host name or address, or {host, port, expect}; "expect" is text its own greeting contains.
external:
  mx: [mx.example.org, {host: 198.51.100.25, expect: "mx.canary.example"}]   # must be unreachable on 25 from inside
  submission: [smtp.example.org]   # must be reachable on 587 from inside

# P6: how many addresses of scope.dynamic to draw, and the seed (the same seed draws the same sample).
sample: {size: 256, seed: 1}

# Ports probed (https: where P4 fetches autoconfig); a lab may remap them.
ports: {smtp: 25, submission: 587, submissions: 465, https: 443}

# Limits: connections at once, new connections per second (0 = unlimited), timeouts, the name sent in EHLO.
probe: {concurrency: 256, rate: 0, connectTimeoutMs: 3000, dialogTimeoutMs: 15000, ehloName: audit.example.net}

# Resolvers to use instead of the system's: address, address:port or [v6]:port.
dns: {servers: []}

# A PEM file of CA certificates to trust besides the system roots (an internal CA, a lab).
tls: {caFile: null}

# P2: names of the environment variables that hold submission credentials (never the values themselves).
credentials: {userEnv: P25_USER, passwordEnv: P25_PASSWORD}

# P4: an auditor's attestation for what cannot be probed (customer guides, CPE provisioning), for instance
#   P4: {text: "Setup guides and CPE profiles use 587 with authentication", url: "https://example.net/help/mail", date: 2025-01-31, who: "A. Auditor"}
attestations: {P4: null}
`;

/**
 * The annotated example plan, as `port25-audit init` writes it.
 *
 * @example writeFileSync('plan.yaml', examplePlanYaml())
 */
export function examplePlanYaml(): string {
  return EXAMPLE_PLAN;
}
