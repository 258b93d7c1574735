import { expect } from 'chai';
import { isLastReplyLine, parseEhloCapabilities, parseReply, type SmtpReply } from '@port25-audit/core';

function reply(lines: string[]): SmtpReply {
  const parsed = parseReply(lines);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('SMTP replies (RFC 5321 §4.2)', function () {
  it('knows the last line of a reply, bare codes included', function () {
    expect(isLastReplyLine('250-PIPELINING')).to.equal(false);
    expect(isLastReplyLine('250 OK')).to.equal(true);
    expect(isLastReplyLine('250')).to.equal(true);
    expect(isLastReplyLine('220-')).to.equal(false);
    // Not a reply line at all: it ends the reply so that it can be reported.
    expect(isLastReplyLine('\u0016\u0003\u0001garbage')).to.equal(true);
    expect(isLastReplyLine('HTTP/1.1 400 Bad Request')).to.equal(true);
  });

  it('joins a multi-line reply and reads the enhanced status code', function () {
    expect(reply(['530-5.7.0 Authentication required', '530 5.7.0 see https://example.net/help'])).to.deep.equal({
      code: 530,
      lines: ['5.7.0 Authentication required', '5.7.0 see https://example.net/help'],
      text: '5.7.0 Authentication required\n5.7.0 see https://example.net/help',
      bare: false,
      enhancedCode: '5.7.0',
    });
  });

  it('accepts bare codes and notes them', function () {
    expect(reply(['220'])).to.deep.equal({ code: 220, lines: [''], text: '', bare: true, enhancedCode: null });
    expect(reply(['250-mx.p25s.test', '250'])).to.include({ code: 250, bare: true });
  });

  it('refuses what is not one reply: garbage, codes that differ, nothing', function () {
    expect(parseReply(['\u0000\u0001binary'])).to.match(/^not an SMTP reply line: "\\u0000\\u0001binary"$/);
    expect(parseReply(['250-a', '251 b'])).to.equal('reply codes differ within one reply (250, then 251)');
    expect(parseReply(['199 too low'])).to.match(/^not an SMTP reply line/);
    expect(parseReply([])).to.equal('no reply line');
  });
});

describe('EHLO capabilities', function () {
  it('reads every extension of RFC 5321 §4.1.1.1 and its successors', function () {
    const capabilities = parseEhloCapabilities(
      reply([
        '250-mail.p25s.test Hello [192.0.2.1]',
        '250-PIPELINING',
        '250-SIZE 35882577',
        '250-8BITMIME',
        '250-SMTPUTF8',
        '250-ENHANCEDSTATUSCODES',
        '250-CHUNKING',
        '250-DSN',
        '250-REQUIRETLS',
        '250-auth plain LOGIN',
        '250 STARTTLS',
      ]),
    );
    expect(capabilities).to.deep.equal({
      domain: 'mail.p25s.test',
      keywords: ['PIPELINING', 'SIZE', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'CHUNKING', 'DSN', 'REQUIRETLS', 'AUTH', 'STARTTLS'],
      extensions: ['PIPELINING', 'SIZE 35882577', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'CHUNKING', 'DSN', 'REQUIRETLS', 'auth plain LOGIN', 'STARTTLS'],
      starttls: true,
      authAdvertised: true,
      auth: ['PLAIN', 'LOGIN'],
      size: 35882577,
      pipelining: true,
      eightBitMime: true,
      smtpUtf8: true,
      enhancedStatusCodes: true,
      chunking: true,
      dsn: true,
      requireTls: true,
    });
  });

  it('merges the pre-standard AUTH= form, and reads SIZE without a number', function () {
    const capabilities = parseEhloCapabilities(reply(['250-mx', '250-AUTH=LOGIN PLAIN', '250-AUTH PLAIN CRAM-MD5', '250 SIZE']));
    expect(capabilities.auth).to.deep.equal(['LOGIN', 'PLAIN', 'CRAM-MD5']);
    expect(capabilities.keywords).to.deep.equal(['AUTH', 'SIZE']);
    expect(capabilities.size).to.equal(null);
  });

  it('records AUTH offered with no mechanism as advertised', function () {
    const capabilities = parseEhloCapabilities(reply(['250-mx', '250 AUTH']));
    expect(capabilities).to.include({ authAdvertised: true });
    expect(capabilities.auth).to.deep.equal([]);
  });

  it('reads a one-line EHLO reply as no extensions', function () {
    expect(parseEhloCapabilities(reply(['250 mx.p25s.test']))).to.include({ domain: 'mx.p25s.test', starttls: false, authAdvertised: false });
  });
});
