import { drizzle } from 'drizzle-orm/d1';
import { mailOutbox } from '../../schema';

/** One outbound message: a plain-text body and, for iMIP (RFC 6047), a text/calendar part. */
export interface OutboundMail {
  /** The user on whose behalf it goes out (null for system mail). */
  sender: string | null;
  from: string;
  to: string[];
  subject: string;
  text: string;
  /** The iCalendar object of an iMIP message, sent as `text/calendar; method={method}`. */
  calendar?: { method: string; ics: string };
}

/** Where the server sends e-mail. Callers never know which implementation they have. */
export interface Mailer {
  send(mail: OutboundMail, now: number): Promise<void>;
}

/**
 * The local implementation: records every message it is asked to send in `mail_outbox` (one row,
 * nothing delivered). Tests and the admin read the table to see what the server asked for.
 */
export class OutboxMailer implements Mailer {
  constructor(private readonly env: Env) {}
  async send(mail: OutboundMail, now: number): Promise<void> {
    await drizzle(this.env.DB).insert(mailOutbox).values({
      sender: mail.sender, from: mail.from, to: JSON.stringify(mail.to), subject: mail.subject, text: mail.text,
      ics: mail.calendar?.ics ?? null, method: mail.calendar?.method ?? null, createdAt: now,
    });
  }
}

/**
 * NOT YET WIRED: delivery through Cloudflare's `send_email` binding. It would build a MIME
 * message (multipart/alternative text + text/calendar; method=…) and call `binding.send()`.
 * There is no binding in wrangler.toml and nothing constructs this class; see worker/mail/README.md.
 */
export class CloudflareMailer implements Mailer {
  async send(): Promise<void> {
    throw new Error('CloudflareMailer is not wired yet: configure a send_email binding first');
  }
}

/** The mailer of this deployment: always the recording outbox until a delivering mailer is wired. */
export function mailerFor(env: Env): Mailer {
  return new OutboxMailer(env);
}

/** A MIME rendering of a message (what a delivering mailer would send; also handy to inspect). */
export function toMime(mail: OutboundMail, boundary = 'cumulus-' + crypto.randomUUID()): string {
  const head = [`From: ${mail.from}`, `To: ${mail.to.join(', ')}`, `Subject: ${mail.subject}`, 'MIME-Version: 1.0'];
  if (!mail.calendar) return [...head, 'Content-Type: text/plain; charset=utf-8', '', mail.text].join('\r\n');
  return [
    ...head, `Content-Type: multipart/alternative; boundary="${boundary}"`, '',
    `--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', mail.text,
    `--${boundary}`, `Content-Type: text/calendar; charset=utf-8; method=${mail.calendar.method}`, '', mail.calendar.ics,
    `--${boundary}--`, '',
  ].join('\r\n');
}
