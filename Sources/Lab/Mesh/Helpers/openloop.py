"""Open-loop constant-rate HTTP load, as vegeta's `attack -rate`: no coordinated omission.

    openloop.py HOST PORT QPS SECONDS < {"head": "...", "tail": "..." | null}

Request i is due at start + i/QPS, whatever became of the others; each goes on a connection of its
own, and its latency runs from the moment it was due to its last response byte, so a slow path
shows as latency, never as fewer requests. The request is read from stdin: `head` alone when
`tail` is null or absent (the mesh's gateway starts the trace), else head + a fresh W3C traceparent value +
tail (the two-node lab places the context itself). Prints one JSON object: latencies in ms of the
200s, and what failed.
"""
import asyncio
import json
import random
import sys
import time

HOST, PORT, QPS, SECONDS = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
SHAPE = json.load(sys.stdin)


def request():
    if SHAPE.get("tail") is None:
        return SHAPE["head"].encode("latin-1")
    context = "00-%032x-%016x-01" % (random.getrandbits(128), random.getrandbits(64))
    return (SHAPE["head"] + context + SHAPE["tail"]).encode("latin-1")


async def one(due, latencies, failures):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, PORT), 10)
        writer.write(request())
        data = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        status = data.split(b"\r\n", 1)[0].split()
        if len(status) > 1 and status[1] == b"200":
            latencies.append((time.monotonic() - due) * 1000)
        else:
            failures.append(status[1].decode() if len(status) > 1 else "no response")
    except Exception as error:
        failures.append(type(error).__name__)


async def main():
    latencies, failures, tasks = [], [], []
    start = time.monotonic() + 0.05
    for i in range(int(QPS * SECONDS)):
        due = start + i / QPS
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(due, latencies, failures)))
    await asyncio.gather(*tasks)
    print(json.dumps({"latencies_ms": latencies, "failures": failures, "sent": len(tasks)}))


asyncio.run(main())
