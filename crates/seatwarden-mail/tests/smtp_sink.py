"""A real SMTP server on loopback for Seatwarden's mail tests and bench.

Built on aiosmtpd (Debian package `python3-aiosmtpd`). It binds 127.0.0.1 on
a free port, prints `READY <port>` on stdout, and stops when its stdin closes
(so it never outlives the test that started it).

Each accepted message is written to OUT_DIR as `<n>.json`:
  {"peer": [host, port], "mail_from": ..., "rcpt_tos": [...], "data": "<raw message>"}

Behaviour can be changed while it runs, through files in OUT_DIR:
  reject_rcpt   if present, every RCPT TO is answered with its content
                (e.g. `550 5.7.1 relaying denied`)
  reject_data   the same for the end of DATA

Options: --out DIR (required), --no-save (count only, for throughput),
         --auth USER:PASSWORD (AUTH PLAIN/LOGIN required, allowed without TLS),
         --tls-cert PEM --tls-key PEM (offer STARTTLS and require it).
"""

import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, out, save):
        self.out = out
        self.save = save
        self.count = 0

    def _override(self, name):
        path = os.path.join(self.out, name)
        try:
            with open(path, encoding="utf-8") as f:
                return f.read().strip()
        except FileNotFoundError:
            return None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self._override("reject_rcpt")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 recipient ok"

    async def handle_DATA(self, server, session, envelope):
        reply = self._override("reject_data")
        if reply:
            return reply
        self.count += 1
        if self.save:
            record = {
                "peer": list(session.peer)[:2],
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "data": envelope.original_content.decode("utf-8", "replace"),
            }
            tmp = os.path.join(self.out, f".{self.count}.tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(record, f)
            os.replace(tmp, os.path.join(self.out, f"{self.count}.json"))
        return f"250 2.0.0 queued as sink-{self.count}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--no-save", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Sink(args.out, not args.no_save)
    kwargs = {"hostname": "sink.test", "decode_data": False, "enable_SMTPUTF8": True}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == user
                and auth_data.password.decode() == password
            )
            return AuthResult(success=ok, handled=False)

        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False)
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        kwargs.update(tls_context=ctx, require_starttls=True)

    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, loop=loop, **kwargs), host="127.0.0.1", port=0)
    )
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)

    def on_stdin():
        if not sys.stdin.buffer.read1(4096):
            loop.stop()

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    main()
