// Shared by the browser tests that follow a mail's "I still need access" link (issue 21):
// waiting on a condition with a deadline, and the page link in a raw message as the SMTP sink
// stored it (quoted-printable and base64 parts decoded).

/** Polls `probe` until it answers something truthy; fails at the deadline. */
export async function eventually(what, probe) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const got = await probe();
    if (got) return got;
    if (Date.now() > deadline) throw new Error(`${what} never happened`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The raw message with quoted-printable soft breaks and escapes decoded, and base64 parts appended. */
export function decoded(raw) {
  const qp = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, x) => String.fromCharCode(parseInt(x, 16)));
  const b64 = (raw.match(/\r?\n\r?\n([A-Za-z0-9+/=\r\n]{40,})/g) ?? [])
    .map((block) => Buffer.from(block.replace(/\s+/g, ''), 'base64').toString('utf8')).join('\n');
  return `${qp}\n${b64}`;
}

/** The page link in a raw message, if it holds one. */
export function linkIn(raw) {
  return /(https?:\/\/[^\s"'<>]*\/access\/request\?t=[0-9a-f]+\.[0-9a-f]+)/.exec(decoded(raw))?.[1];
}
