import type { Socket } from 'node:net';
import type { Banner } from '../model.js';
import { unwatchAbort, watchAbort, type Abortable } from './abort-watch.js';

export interface BannerLimits {
  /** Bytes read at most; a reply longer than this is cut there (truncated). */
  maxBytes: number;
  /** Lines read at most; a multi-line reply longer than this is cut there (truncated). */
  maxLines: number;
  /** Wall-clock deadline for the whole reply, from the call. */
  timeoutMs: number;
  /** Stops the read early (the scan was interrupted); the result is then truncated. */
  signal?: AbortSignal;
}

/**
 * Bounds for reading a greeting. RFC 5321 §4.5.3.1.5 limits a reply line to 512
 * octets; a few lines of that is any honest greeting. RFC 5321 §4.5.3.2.1 lets a
 * client wait 5 minutes for the 220, far too long for a scan.
 */
export const GREETING_LIMITS = { maxBytes: 4096, maxLines: 32, timeoutMs: 10_000 } as const;

const LF = 0x0a;
const CR = 0x0d;

/** `ddd`, then SP, `-` or the end of the line (RFC 5321 §4.2). */
function replyLine(buffer: Buffer, start: number, end: number): { code: number; more: boolean } | null {
  if (end - start < 3) return null;
  let code = 0;
  for (let i = start; i < start + 3; i++) {
    const digit = buffer[i]! - 0x30;
    if (digit < 0 || digit > 9) return null;
    code = code * 10 + digit;
  }
  if (end - start === 3) return { code, more: false };
  const separator = buffer[start + 3];
  if (separator === 0x2d) return { code, more: true };
  if (separator === 0x20) return { code, more: false };
  return null;
}

/**
 * Reads the first complete SMTP reply a peer sends, e.g. its greeting.
 * RFC 5321 §4.2: a line `ddd-text` is followed by more lines; `ddd text` or a
 * bare `ddd` is the last one. A line that does not start with a reply code ends
 * the read too (the peer does not speak SMTP; its text is kept, code null).
 *
 * Bounded in bytes, lines and time. On a deadline, a cap, the peer closing or a
 * socket error it returns what arrived with `truncated: true` (and the code
 * of its first line when that much came); it never throws and never destroys
 * the socket (the caller does). `text` is the reply as received, line ends
 * included except the last one's. Bytes after the reply are
 * pushed back into the socket for a later reader.
 *
 * @example
 * ```ts
 * const banner = await readBanner(socket, { maxBytes: 4096, maxLines: 32, timeoutMs: 10_000 });
 * if (banner.code === 220) console.log(banner.text);
 * ```
 */
export function readBanner(socket: Socket, limits: BannerLimits): Promise<Banner> {
  const started = performance.now();
  return new Promise<Banner>((resolve) => {
    let received: Buffer = Buffer.alloc(0);
    /** Where the line being read starts. */
    let lineStart = 0;
    /** Where to look for the next LF. */
    let scanFrom = 0;
    let lines = 0;
    let code: number | null = null;
    let done = false;
    let timer: NodeJS.Timeout | undefined;

    const finish = (end: number, complete: boolean, rest: Buffer | null): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('end', onStop);
      socket.removeListener('close', onStop);
      socket.removeListener('error', onStop);
      if (limits.signal !== undefined) unwatchAbort(limits.signal, abortable);
      if (!socket.destroyed) {
        socket.pause();
        if (rest !== null && rest.length > 0) socket.unshift(rest);
      }
      // Drop the last line's CRLF (or bare LF): it ends a line, it is not part of the reply.
      let textEnd = end;
      if (textEnd > 0 && received[textEnd - 1] === LF) textEnd--;
      if (textEnd > 0 && received[textEnd - 1] === CR) textEnd--;
      // A first line cut short still tells its code once `ddd` and a separator are in.
      if (lines === 0) code = replyLine(received, 0, Math.min(textEnd, 4))?.code ?? null;
      resolve({
        text: received.toString('utf8', 0, textEnd),
        code,
        truncated: !complete,
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    };

    const onStop = (): void => finish(Math.min(received.length, limits.maxBytes), false, null);
    const abortable: Abortable = { onAbort: onStop };

    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      for (;;) {
        const lf = received.indexOf(LF, scanFrom);
        if (lf === -1 || lf >= limits.maxBytes) break;
        const lineEnd = lf > lineStart && received[lf - 1] === CR ? lf - 1 : lf;
        const parsed = replyLine(received, lineStart, lineEnd);
        lines++;
        if (lines === 1) code = parsed?.code ?? null;
        lineStart = scanFrom = lf + 1;
        if (parsed === null || !parsed.more) {
          finish(lf + 1, true, received.subarray(lf + 1));
          return;
        }
        if (lines >= limits.maxLines) {
          finish(lf + 1, false, null);
          return;
        }
      }
      scanFrom = received.length;
      if (received.length >= limits.maxBytes) finish(limits.maxBytes, false, null);
    };

    if (socket.destroyed || socket.readableEnded || limits.signal?.aborted) {
      finish(0, false, null);
      return;
    }
    timer = setTimeout(onStop, limits.timeoutMs);
    socket.on('data', onData);
    socket.once('end', onStop);
    socket.once('close', onStop);
    socket.once('error', onStop);
    if (limits.signal !== undefined) watchAbort(limits.signal, abortable);
    socket.resume();
  });
}
