/**
 * The pool of every SMTP transport (and of the bench's raw baseline): `pool=true`, and
 * unless the URL says otherwise 5 connections that each carry up to 1,000 messages.
 * nodemailer's default of 100 messages per connection reconnects (TCP, greeting, EHLO)
 * every 100 messages, which cost more than half the throughput to a local relay.
 */
export function pooledSmtpUrl(url: string): string {
  const pooled = new URL(url);
  pooled.searchParams.set('pool', 'true');
  if (!pooled.searchParams.has('maxConnections')) pooled.searchParams.set('maxConnections', '5');
  if (!pooled.searchParams.has('maxMessages')) pooled.searchParams.set('maxMessages', '1000');
  return pooled.toString();
}
