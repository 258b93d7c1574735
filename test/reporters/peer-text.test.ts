import { expect } from 'chai';
import { htmlText, terminalText, visibleControls, xmlAttribute, xmlText } from '@port25-audit/reporters';

const ESC = '\u001b';

describe('reporters: text from peers', () => {
  it('visibleControls shows C0, DEL, C1, lone surrogates, nonchars and bidi controls as escapes', () => {
    expect(visibleControls(`a\u0000b\u0007c${ESC}[31md\u007fe\u0085f\u009bg`)).to.equal('a\\x00b\\x07c\\x1B[31md\\x7Fe\\x85f\\x9Bg');
    expect(visibleControls('x\ud800y\udfffz')).to.equal('x\\uD800y\\uDFFFz');
    expect(visibleControls('pair \ud83d\udce7 kept')).to.equal('pair \ud83d\udce7 kept');
    expect(visibleControls('\ufffe\uffff')).to.equal('\\uFFFE\\uFFFF');
    expect(visibleControls('safe\u202Egnp.exe')).to.equal('safe\\u202Egnp.exe');
    expect(visibleControls('tab\tand\nnewline stay')).to.equal('tab\tand\nnewline stay');
    expect(visibleControls('Grüße, 東京, ✓')).to.equal('Grüße, 東京, ✓');
  });

  it('xmlText escapes markup and removes every character XML 1.0 forbids on its own', () => {
    expect(xmlText('<a href="x">&</a> ]]>')).to.equal('&lt;a href="x"&gt;&amp;&lt;/a&gt; ]]&gt;');
    expect(xmlText('a\u0000\u0001\u0008\u000b\u000c\u000e\u001fb')).to.equal('ab');
    expect(xmlText('c\ud800d\udc00e\ufffe\uffff')).to.equal('cde');
    expect(xmlText('pair \ud83d\udce7, tab\t, lf\n, cr\r')).to.equal('pair \ud83d\udce7, tab\t, lf\n, cr\r');
  });

  it('xmlAttribute also escapes quotes and keeps TAB, LF, CR through attribute normalization', () => {
    expect(xmlAttribute('say "hi"\there\nthen\r')).to.equal('say &quot;hi&quot;&#9;here&#10;then&#13;');
    expect(xmlAttribute('<x>\u0000')).to.equal('&lt;x&gt;');
  });

  it('htmlText escapes the five markup characters', () => {
    expect(htmlText(`<script>alert('x' & "y")</script>`)).to.equal('&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;');
  });

  it('terminalText strips CSI, OSC and C1 sequences and every other control, and joins lines', () => {
    expect(terminalText(`250 ${ESC}[32mOK${ESC}[0m`)).to.equal('250 OK');
    expect(terminalText(`${ESC}]8;;http://evil.example/\u0007link${ESC}]8;;\u0007 ${ESC}]0;title\u0007done`)).to.equal('link done');
    expect(terminalText('\u009b2Jclear')).to.equal('clear');
    expect(terminalText('a\u0000b\u0007c\u007fd\u0085e')).to.equal('abcde');
    expect(terminalText('one\r\ntwo\tthree')).to.equal('one two three');
    expect(terminalText('safe\u202Egnp.exe \ud800x')).to.equal('safegnp.exe x');
    expect(terminalText('=HYPERLINK("http://evil.example/","x")')).to.equal('=HYPERLINK("http://evil.example/","x")');
  });
});
