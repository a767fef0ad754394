#!/usr/bin/env python3
"""A real SMTP server for Bursa's tests (aiosmtpd).

    smtp_server.py PORT OUTDIR

Listens on 127.0.0.1:PORT and saves every message it accepts as OUTDIR/<n>.json:
{"mail_from", "rcpt_tos", "message_id", "subject", "to", "content_language", "text", "html",
 "inline": [{"content_type", "content_id", "size"}]}, the MIME decoded by Python's email package.
Recipients at the domain reject.test are refused with 550 (a permanent failure). Prints
"ready" once listening, and stops when its standard input closes.
"""

import email
import email.policy
import json
import os
import sys
import threading

from aiosmtpd.controller import Controller


class Handler:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@reject.test"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        inline = [
            {
                "content_type": part.get_content_type(),
                "content_id": part.get("Content-ID", ""),
                "size": len(part.get_payload(decode=True) or b""),
            }
            for part in message.walk()
            if part.get_content_maintype() == "image"
        ]
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "message_id": message.get("Message-ID", ""),
            "subject": str(message.get("Subject", "")),
            "to": str(message.get("To", "")),
            "content_language": message.get("Content-Language", ""),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "inline": inline,
        }
        with self.lock:
            self.count += 1
            name = f"{os.getpid()}-{self.count:06d}.json"
        partial = os.path.join(self.outdir, "." + name)
        with open(partial, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(partial, os.path.join(self.outdir, name))
        return "250 Message accepted for delivery"


def main():
    port, outdir = int(sys.argv[1]), sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    controller = Controller(Handler(outdir), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
