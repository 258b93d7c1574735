/**
 * Types for smtp-channel 0.2.4 (CommonJS, untyped). Only net/smtp-session.ts
 * imports it. Declares the public API plus the protected hooks the session
 * overrides; see TOOLCHAIN.md for the pitfalls of this version.
 */
declare module 'smtp-channel' {
  import { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';

  /** Options merged into every socket smtp-channel creates. */
  export interface SMTPChannelConfig {
    host?: string;
    port?: number;
    /** Idle timeout; on expiry the channel re-sends QUIT forever (trap 3). 0 = off. */
    timeout?: number;
    secure?: boolean;
    [option: string]: unknown;
  }

  export interface CommandOptions {
    /** Called for each reply line, after the line was parsed. */
    handler?: ((line: string, args: { isLast: boolean; code: string | null }) => void) | null;
    /** Rejects the promise after this many ms, leaving the socket open (trap 2). 0 = off. */
    timeout?: number;
  }

  /** The options `_createSocket` receives: the channel's config plus, for TLS, `socket` and `secure: true`. */
  export interface SocketCreationConfig extends SMTPChannelConfig {
    socket?: Socket;
  }

  /** smtp-channel's line buffer (line-buffer 0.1.4): unbounded, joined by string concatenation (trap 5). */
  export interface LineBuffer extends EventEmitter {
    feed(chunk: string | Buffer): string[];
    /** Forgets the partial line kept for the next chunk. */
    drain(): void;
  }

  export class SMTPChannel extends EventEmitter {
    constructor(config?: SMTPChannelConfig);
    /** Connects (through `_createSocket`) and resolves with the code of the greeting's last line. */
    connect(options?: CommandOptions): Promise<string | null>;
    close(options?: { timeout?: number }): Promise<void>;
    /** Sends `data` and resolves with the code of the reply's last line. */
    write(data: string, options?: CommandOptions): Promise<string | null>;
    /** Wraps the current socket in TLS (through `_createSocket` with `secure: true`). */
    negotiateTLS(config?: SMTPChannelConfig): Promise<void>;
    isSecure(): boolean;
    parseReplyCode(line: string): string | null;
    /** Whether `line` ends a reply; 0.2.4 answers false for a bare `250` (trap 6). */
    isLastReply(line: string): boolean | null;

    protected _receiveBuffer: LineBuffer;
    /** Creates the socket for `connect` (plain) and `negotiateTLS` (`secure: true`, `socket` set). */
    protected _createSocket(config: SocketCreationConfig, onConnect: () => void): Socket;
    /** Receives each decoded chunk from the socket and feeds the line buffer. */
    protected _onReceive(chunk: string): void;
  }
}
