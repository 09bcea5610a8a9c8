#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A small HTTP/1.1 keep-alive server for the http probe's tests, on 127.0.0.1 only.

Injects faults that the probe must report:
  --delay-ms D      every response waits D ms (without blocking other connections)
  --error-every N   every Nth request (counted over the whole server) answers 500
  --stall-after K   after K requests the whole server freezes once ...
  --stall-ms S      ... for S ms (blocking the event loop, like a GC pause or a stuck worker)
  --delay-file F    the delay in ms is the number in F times --delay-scale, read per request (a
                    "setting" that skytune-helper can change in a fixture sysroot)
Shapes the responses on the wire (every "Nth" counts requests over the whole server, like
--error-every; at most one of hang, reset, truncate, close applies to a request, in that order):
  --log FILE        append one JSON line per request received: conn (the connection's serial
                    number, from 1), seq (the request's number on its connection, from 1), n (over
                    the server), method, target, version, headers ([name, value] as received, name
                    case preserved), body_len, body (its first 200 bytes, latin-1), expect (whether
                    a 100 Continue was sent for "Expect: 100-continue")
  --body-bytes N    the body of a 200 response is N bytes (default: "ok")
  --chunked         Transfer-Encoding: chunked, the body in several chunks (upper-case hex sizes,
                    a chunk extension on each) and a trailer field after the last chunk
  --interim         send "HTTP/1.1 100 Continue" before every final response
  --http10          answer "HTTP/1.0" without keep-alive: no Content-Length, the body ends when the
                    server closes the connection, which it does after every response
  --close-every N   every Nth response carries "Connection: close" and the server closes after it
  --idle-close-ms M close a connection once it has been idle M ms after a response (a server timing
                    out idle keep-alive connections)
  --reset-every N   every Nth request gets part of the response headers, then a TCP reset (RST)
  --truncate-every N  every Nth request gets part of the response headers, then an orderly close
                    (FIN): a truncated response, which is not a success either
  --hang-every N    every Nth request is never answered (the connection stays open until the
                    client closes it)
  --split-bytes B   write every response in pieces of B bytes, 1 ms apart (a response split across
                    reads, mid-line)
  --tls CERT KEY    serve HTTPS with the certificate chain CERT and its key KEY (PEM files)
Writes its port to --port-file, and exits after --lifetime seconds at the latest.
"""
import argparse
import asyncio
import json
import os
import socket
import ssl
import struct
import time

args = None
count = 0
conns = 0
stalled = False
log = None
body_ok = b"ok"


async def read_chunked(reader):
    body = b""
    while True:
        line = await reader.readuntil(b"\r\n")
        size = int(line.split(b";")[0].strip(), 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass                    # trailer fields
            return body
        body += await reader.readexactly(size)
        await reader.readuntil(b"\r\n")


async def send(writer, data):
    if args.split_bytes:
        for i in range(0, len(data), args.split_bytes):
            writer.write(data[i:i + args.split_bytes])
            await writer.drain()
            await asyncio.sleep(0.001)
    else:
        writer.write(data)
        await writer.drain()


def chunked(body):
    parts = max(1, min(4, len(body)))
    step = -(-len(body) // parts) if body else 0
    out = b""
    for i in range(0, len(body), step or 1):
        piece = body[i:i + step]
        out += b"%X;ext=%d\r\n" % (len(piece), i) + piece + b"\r\n"
    return out + b"0\r\nX-Trailer: done\r\n\r\n"


async def handle(reader, writer):
    global count, stalled, conns
    conns += 1
    conn = conns
    seq = 0
    try:
        while True:
            if seq and args.idle_close_ms:
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), args.idle_close_ms / 1000)
                except asyncio.TimeoutError:
                    return              # idle too long: close
            else:
                head = await reader.readuntil(b"\r\n\r\n")
            seq += 1
            lines = head[:-4].split(b"\r\n")
            parts = lines[0].split(b" ")
            method, target, version = (parts + [b"", b"", b""])[:3]
            headers = []
            length = 0
            te_chunked = expect = False
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                value = value.strip()
                headers.append([name.decode("latin-1"), value.decode("latin-1")])
                lname = name.strip().lower()
                if lname == b"content-length":
                    length = int(value)
                elif lname == b"transfer-encoding" and b"chunked" in value.lower():
                    te_chunked = True
                elif lname == b"expect" and value.lower() == b"100-continue":
                    expect = True
            interim_sent = False
            if expect and (length or te_chunked):
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                await writer.drain()
                interim_sent = True
            body = b""
            if te_chunked:
                body = await read_chunked(reader)
            elif length:
                body = await reader.readexactly(length)
            count += 1
            n = count
            if log:
                log.write(json.dumps({
                    "conn": conn, "seq": seq, "n": n, "method": method.decode("latin-1"),
                    "target": target.decode("latin-1"), "version": version.decode("latin-1"),
                    "headers": headers, "body_len": len(body), "body": body[:200].decode("latin-1"),
                    "expect": interim_sent}) + "\n")
                log.flush()
            if args.stall_after and not stalled and n >= args.stall_after:
                stalled = True
                time.sleep(args.stall_ms / 1000)  # blocks every connection on purpose
            delay = args.delay_ms
            if args.delay_file:
                with open(args.delay_file) as f:
                    delay = float(f.read().split()[0]) * args.delay_scale
            if delay:
                await asyncio.sleep(delay / 1000)
            if args.hang_every and n % args.hang_every == 0:
                while await reader.read(65536):
                    pass                # never answer; wait for the client to give up
                return
            if args.reset_every and n % args.reset_every == 0:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/pl")
                await writer.drain()
                await asyncio.sleep(0.02)  # the client has read the part before the reset
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            if args.truncate_every and n % args.truncate_every == 0:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/pl")
                await writer.drain()
                return                  # closed in finally: FIN after the partial headers
            if args.interim and not interim_sent:
                await send(writer, b"HTTP/1.1 100 Continue\r\n\r\n")
            if args.error_every and n % args.error_every == 0:
                status, body = b"500 Internal Server Error", b"error"
            else:
                status, body = b"200 OK", body_ok
            close = args.close_every and n % args.close_every == 0
            if args.http10:
                await send(writer, b"HTTP/1.0 " + status + b"\r\nContent-Type: text/plain\r\n\r\n" + body)
                return
            extra = b"Connection: close\r\n" if close else b""
            head = method == b"HEAD"        # the headers a GET would get, and no body
            if args.chunked:
                await send(writer, b"HTTP/1.1 " + status + b"\r\nTransfer-Encoding: chunked\r\n"
                           b"Trailer: X-Trailer\r\nContent-Type: text/plain\r\n" + extra + b"\r\n" +
                           (b"" if head else chunked(body)))
            else:
                await send(writer, b"HTTP/1.1 " + status + b"\r\nContent-Length: " + str(len(body)).encode() +
                           b"\r\nContent-Type: text/plain\r\n" + extra + b"\r\n" + (b"" if head else body))
            if close:
                return
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main():
    ctx = None
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        ctx.set_alpn_protocols(["http/1.1"])
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024, ssl=ctx)
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.rename(tmp, args.port_file)
    async with server:
        await asyncio.sleep(args.lifetime)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--delay-ms", type=float, default=0)
    p.add_argument("--error-every", type=int, default=0)
    p.add_argument("--stall-after", type=int, default=0)
    p.add_argument("--stall-ms", type=float, default=0)
    p.add_argument("--delay-file")
    p.add_argument("--delay-scale", type=float, default=1)
    p.add_argument("--lifetime", type=float, default=120)
    p.add_argument("--log")
    p.add_argument("--body-bytes", type=int)
    p.add_argument("--chunked", action="store_true")
    p.add_argument("--interim", action="store_true")
    p.add_argument("--http10", action="store_true")
    p.add_argument("--close-every", type=int, default=0)
    p.add_argument("--idle-close-ms", type=float, default=0)
    p.add_argument("--reset-every", type=int, default=0)
    p.add_argument("--truncate-every", type=int, default=0)
    p.add_argument("--hang-every", type=int, default=0)
    p.add_argument("--split-bytes", type=int, default=0)
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = p.parse_args()
    if args.body_bytes is not None:
        body_ok = (b"0123456789abcdef" * (args.body_bytes // 16 + 1))[:args.body_bytes]
    if args.log:
        log = open(args.log, "a")
    asyncio.run(main())
