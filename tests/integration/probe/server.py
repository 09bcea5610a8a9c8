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
Writes its port to --port-file, and exits after --lifetime seconds at the latest.
"""
import argparse
import asyncio
import os
import time

args = None
count = 0
stalled = False


async def handle(reader, writer):
    global count, stalled
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            count += 1
            n = count
            if args.stall_after and not stalled and n >= args.stall_after:
                stalled = True
                time.sleep(args.stall_ms / 1000)  # blocks every connection on purpose
            delay = args.delay_ms
            if args.delay_file:
                with open(args.delay_file) as f:
                    delay = float(f.read().split()[0]) * args.delay_scale
            if delay:
                await asyncio.sleep(delay / 1000)
            if args.error_every and n % args.error_every == 0:
                status, body = b"500 Internal Server Error", b"error"
            else:
                status, body = b"200 OK", b"ok"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: " + str(len(body)).encode() +
                         b"\r\nContent-Type: text/plain\r\n\r\n" + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
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
    args = p.parse_args()
    asyncio.run(main())
