import { describe, expect, it } from 'vitest';
import { decodeHeaderWords, htmlToText, parseEmail } from './email.js';

describe('parseEmail', () => {
  it('keeps Subject and body, drops every other header and the mbox envelope', () => {
    const raw = 'From someone@x  Thu Aug 22 2002\nReturn-Path: <list@spamassassin.taint.org>\nSubject: Hello\n  world\nReceived: from a by b\n\nBody line 1\nBody line 2\n';
    const { subject, body } = parseEmail(raw);
    expect(subject).toBe('Hello world');
    expect(body).toBe('Body line 1\nBody line 2');
    expect(body).not.toContain('Received');
  });

  it('decodes base64 and quoted-printable parts, prefers text/plain in multipart/alternative', () => {
    const b64 = Buffer.from('Caf\u00e9 plain text', 'utf8').toString('base64');
    const raw = [
      'Subject: =?utf-8?B?' + Buffer.from('Ol\u00e1', 'utf8').toString('base64') + '?=',
      'Content-Type: multipart/alternative; boundary="XYZ"',
      '',
      'preamble',
      '--XYZ',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      b64,
      '--XYZ',
      'Content-Type: text/html',
      '',
      '<p>html version</p>',
      '--XYZ--',
      '',
    ].join('\n');
    const { subject, body } = parseEmail(raw);
    expect(subject).toBe('Ol\u00e1');
    expect(body).toBe('Caf\u00e9 plain text');
  });

  it('turns HTML-only mail into its visible text and skips attachments', () => {
    const raw = [
      'Subject: Offer',
      'Content-Type: multipart/mixed; boundary=B',
      '',
      '--B',
      'Content-Type: text/html',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '<style>p{color:red}</style><b>Buy</b> =3D now&nbsp;&amp; save&#33;',
      '--B',
      'Content-Type: application/octet-stream',
      'Content-Disposition: attachment; filename=x.exe',
      '',
      'TVqQAAMAAAAEAAAA',
      '--B--',
    ].join('\n');
    const { body } = parseEmail(raw);
    expect(body).toContain('Buy');
    expect(body).toContain('= now & save!');
    expect(body).not.toContain('color');
    expect(body).not.toContain('TVqQ');
  });

  it('helpers decode encoded words and entities', () => {
    expect(decodeHeaderWords('=?iso-8859-1?Q?caf=E9_time?=')).toBe('caf\u00e9 time');
    expect(htmlToText('a&lt;b&gt;&#x41;')).toBe('a<b>A');
  });
});
