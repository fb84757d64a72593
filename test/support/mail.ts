import type { ReceivedMail, TestSmtpServer } from './smtp.js';

/** The 6-digit code in a message's text. */
export function codeIn(text: string): string {
  const match = /\b(\d{6})\b/.exec(text);
  if (!match?.[1]) throw new Error(`no code in: ${text}`);
  return match[1];
}

/** The first message to `address` the SMTP server accepted (after the first `after`), waiting up to 10 s. */
export async function mailTo(smtp: TestSmtpServer, address: string, after = 0): Promise<ReceivedMail> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = smtp.messages.slice(after).find((m) => m.to.includes(address));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail to ${address}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
