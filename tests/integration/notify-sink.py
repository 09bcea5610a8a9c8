#!/usr/bin/env python3
"""Receivers for skytune-monitor's notification tests, on 127.0.0.1 only.

  notify-sink.py http PORTFILE LOG [--port N] [--answers 500,429:2,200,...]
      Records every request as a JSON line in LOG ({"path", "headers", "body", "status"}); the
      i-th request is answered with the i-th of --answers (CODE or CODE:RETRY_AFTER), the rest 200.
  notify-sink.py smtp PORTFILE LOG
      A small SMTP server (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT): each message as a JSON
      line in LOG ({"from", "to", "data"}).
The chosen port is written to PORTFILE once the socket listens."""
import http.server
import json
import os
import socket
import socketserver
import sys
import threading
import time


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(path + ".tmp", path)


def record(log, obj):
    with open(log, "a") as f:
        f.write(json.dumps(obj) + "\n")


def http_sink(portfile, log, port, answers):
    lock = threading.Lock()
    seen = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n).decode("utf-8", "replace")
            with lock:
                i = seen[0]
                seen[0] += 1
            code, retry = (answers[i] if i < len(answers) else (200, None))
            record(log, {"time": time.time(), "path": self.path, "headers": dict(self.headers), "body": body, "status": code})
            self.send_response(code)
            if retry is not None:
                self.send_header("Retry-After", retry)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok\n" if code < 300 else b"try later\n")

        def log_message(self, *args):
            pass

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        allow_reuse_address = True
        daemon_threads = True

    srv = Server(("127.0.0.1", port), Handler)
    write_port(portfile, srv.server_address[1])
    srv.serve_forever()


def smtp_sink(portfile, log):
    class Handler(socketserver.StreamRequestHandler):
        def reply(self, text):
            self.wfile.write((text + "\r\n").encode())

        def handle(self):
            self.reply("220 sink ESMTP")
            mail, rcpt = None, []
            while True:
                line = self.rfile.readline()
                if not line:
                    return
                cmd = line.decode("utf-8", "replace").rstrip("\r\n")
                verb = cmd[:4].upper()
                if verb == "EHLO":
                    self.reply("250-sink")
                    self.reply("250 8BITMIME")
                elif verb == "HELO":
                    self.reply("250 sink")
                elif verb == "MAIL":
                    mail, rcpt = cmd[10:].strip(), []
                    self.reply("250 ok")
                elif verb == "RCPT":
                    rcpt.append(cmd[8:].strip())
                    self.reply("250 ok")
                elif verb == "DATA":
                    self.reply("354 go on")
                    data = []
                    while True:
                        l = self.rfile.readline()
                        if not l or l in (b".\r\n", b".\n"):
                            break
                        data.append(l.decode("utf-8", "replace"))
                    record(log, {"from": mail, "to": rcpt, "data": "".join(data)})
                    self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                elif verb in ("RSET", "NOOP"):
                    self.reply("250 ok")
                else:
                    self.reply("502 not here")

    class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
        allow_reuse_address = True
        daemon_threads = True

    srv = Server(("127.0.0.1", 0), Handler)
    write_port(portfile, srv.server_address[1])
    srv.serve_forever()


def main():
    kind, portfile, log = sys.argv[1:4]
    rest = sys.argv[4:]
    port, answers = 0, []
    while rest:
        opt = rest.pop(0)
        if opt == "--port":
            port = int(rest.pop(0))
        elif opt == "--answers":
            for a in rest.pop(0).split(","):
                code, _, retry = a.partition(":")
                answers.append((int(code), retry or None))
    if kind == "http":
        http_sink(portfile, log, port, answers)
    else:
        smtp_sink(portfile, log)


if __name__ == "__main__":
    main()
