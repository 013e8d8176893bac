/**
 * Just enough RFC 822 / MIME to turn a raw SpamAssassin message into what a social-network post
 * would show: its Subject and readable body text. Headers other than Subject are dropped on purpose —
 * Received/Return-Path/List-* lines identify the source folder and would let a model "cheat".
 */
export type ParsedEmail = { subject: string; body: string };

type Part = { headers: Map<string, string>; body: string };

function splitHeaders(raw: string): Part {
  const text = raw.replace(/\r\n/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const headers = new Map<string, string>();
  // Unfold continuation lines (leading whitespace) before splitting name: value.
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function param(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const m = new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(header);
  return m ? (m[1] ?? m[2]) : undefined;
}

function bytesToText(bytes: Buffer, charset: string | undefined): string {
  const cs = (charset ?? '').toLowerCase();
  if (cs === 'utf-8' || cs === 'utf8') return bytes.toString('utf8');
  // Everything else in this 2002-era corpus is (close enough to) a single-byte charset.
  return bytes.toString('latin1');
}

function decodeQuotedPrintable(text: string): Buffer {
  const soft = text.replace(/=\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const c = soft.charCodeAt(i);
    if (c === 61 /* = */ && i + 2 < soft.length + 0 && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      out.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c & 0xff);
  }
  return Buffer.from(out);
}

function decodeTransfer(body: string, encoding: string | undefined, charset: string | undefined): string {
  const enc = (encoding ?? '').toLowerCase().trim();
  if (enc === 'base64') return bytesToText(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'), charset);
  if (enc === 'quoted-printable') return bytesToText(decodeQuotedPrintable(body), charset);
  return body;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®' };

/** Visible text of an HTML fragment: drops style/script/comments and tags, decodes common entities. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}

/** RFC 2047 encoded words in headers: =?charset?B|Q?text?= */
export function decodeHeaderWords(value: string): string {
  return value.replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_m, charset: string, enc: string, text: string) => {
    if (enc.toUpperCase() === 'B') return bytesToText(Buffer.from(text, 'base64'), charset);
    return bytesToText(decodeQuotedPrintable(text.replace(/_/g, ' ')), charset);
  });
}

/** Text of a MIME part: text/plain preferred over text/html within multipart/alternative; attachments skipped. */
function partText(part: Part, depth: number): string {
  const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
  const charset = param(part.headers.get('content-type'), 'charset');
  if (type.startsWith('multipart/') && depth < 5) {
    const boundary = param(part.headers.get('content-type'), 'boundary');
    if (!boundary) return part.body;
    const pieces = part.body.split(`--${boundary}`);
    // pieces[0] is the preamble ("This is a multi-part message..."), the last after "--" the epilogue.
    const parts = pieces.slice(1).filter((p) => !p.startsWith('--')).map((p) => splitHeaders(p.replace(/^[ \t]*\n/, '')));
    if (type.startsWith('multipart/alternative')) {
      const plain = parts.find((p) => (p.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith('text/plain'));
      if (plain) return partText(plain, depth + 1);
    }
    return parts.map((p) => partText(p, depth + 1)).filter((t) => t !== '').join('\n');
  }
  const disposition = (part.headers.get('content-disposition') ?? '').toLowerCase();
  if (!type.startsWith('text/') || disposition.startsWith('attachment')) return '';
  const decoded = decodeTransfer(part.body, part.headers.get('content-transfer-encoding'), charset);
  return type.startsWith('text/html') ? htmlToText(decoded) : decoded;
}

export function parseEmail(raw: string): ParsedEmail {
  // The corpus files start with an mbox "From " envelope line; it is not a header.
  const withoutEnvelope = raw.startsWith('From ') ? raw.slice(raw.indexOf('\n') + 1) : raw;
  const root = splitHeaders(withoutEnvelope);
  const subject = decodeHeaderWords(root.headers.get('subject') ?? '').replace(/\s+/g, ' ').trim();
  const body = partText(root, 0).replace(/[ \t\r\f\v]+/g, ' ').replace(/\n\s*\n+/g, '\n\n').trim();
  return { subject, body };
}
