import { createHash, randomUUID } from 'node:crypto';

/** What survives a restart; visibility does not (see README: every message is visible again). */
export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  sentTimestamp: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
}

export interface QueueSettings {
  visibilityTimeoutSeconds: number;
  receiveWaitTimeSeconds: number;
  createdTimestamp: number;
}

export interface ReceivedMessage {
  message: StoredMessage;
  receiptHandle: string;
}

interface Held extends StoredMessage {
  /** Epoch ms until which the message is hidden; 0 when visible. */
  invisibleUntil: number;
  receiptHandle?: string;
}

export const md5Hex = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * One queue's messages in arrival order. Not FIFO-exact (neither is a standard queue), but
 * oldest-first, so a person replaying dead letters sees them in the order they failed.
 */
export class Queue {
  private readonly messages = new Map<string, Held>();
  private readonly byHandle = new Map<string, string>();
  private readonly arrivals = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly settings: QueueSettings,
    stored: readonly StoredMessage[] = [],
  ) {
    for (const message of stored)
      this.messages.set(message.messageId, { ...message, invisibleUntil: 0 });
  }

  send(body: string, now = Date.now()): StoredMessage {
    const message: Held = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      sentTimestamp: now,
      receiveCount: 0,
      invisibleUntil: 0,
    };
    this.messages.set(message.messageId, message);
    for (const wake of this.arrivals) wake();
    return message;
  }

  /** Takes up to `max` visible messages and hides them for `visibilitySeconds`. */
  receive(max: number, visibilitySeconds: number, now = Date.now()): ReceivedMessage[] {
    const taken: ReceivedMessage[] = [];
    for (const message of this.messages.values()) {
      if (taken.length >= max) break;
      if (message.invisibleUntil > now) continue;
      // A new receipt handle per receive: the previous receiver's handle stops working.
      if (message.receiptHandle) this.byHandle.delete(message.receiptHandle);
      message.receiptHandle = `${message.messageId}#${randomUUID()}`;
      this.byHandle.set(message.receiptHandle, message.messageId);
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.invisibleUntil = now + visibilitySeconds * 1000;
      taken.push({ message: { ...message }, receiptHandle: message.receiptHandle });
    }
    return taken;
  }

  /** Resolves when a message is sent or after `ms`, whichever is first (long polling). */
  waitForArrival(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.arrivals.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.arrivals.add(wake);
    });
  }

  /** Ends every long poll now (the server is closing). */
  wakeAll(): void {
    for (const wake of [...this.arrivals]) wake();
  }

  /** false when the handle is unknown or superseded by a later receive. */
  delete(receiptHandle: string): boolean {
    const id = this.byHandle.get(receiptHandle);
    if (id === undefined) return false;
    this.byHandle.delete(receiptHandle);
    this.messages.delete(id);
    return true;
  }

  /** 'invalid' for an unknown handle, 'not-inflight' when the message is visible already. */
  changeVisibility(
    receiptHandle: string,
    seconds: number,
    now = Date.now(),
  ): 'ok' | 'invalid' | 'not-inflight' {
    const id = this.byHandle.get(receiptHandle);
    const message = id === undefined ? undefined : this.messages.get(id);
    if (!message) return 'invalid';
    if (message.invisibleUntil <= now) return 'not-inflight';
    message.invisibleUntil = now + seconds * 1000;
    return 'ok';
  }

  purge(): void {
    this.messages.clear();
    this.byHandle.clear();
  }

  counts(now = Date.now()): { visible: number; inFlight: number } {
    let inFlight = 0;
    for (const message of this.messages.values()) if (message.invisibleUntil > now) inFlight += 1;
    return { visible: this.messages.size - inFlight, inFlight };
  }

  stored(): StoredMessage[] {
    return [...this.messages.values()].map(
      ({ invisibleUntil: _hidden, receiptHandle: _handle, ...message }) => message,
    );
  }
}
