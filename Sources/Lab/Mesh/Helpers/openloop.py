"""Open-loop constant-rate HTTP load, as vegeta's `attack -rate`: no coordinated omission.

    openloop.py HOST PORT PATH QPS SECONDS

Request i is due at start + i/QPS, whatever became of the others; each goes on a connection of its
own, and its latency runs from the moment it was due to its last response byte, so a slow mesh
shows as latency, never as fewer requests. The request is a browser's, as it reaches Bookinfo's
ingress gateway. Prints one JSON object: latencies in ms of the 200s, and what failed.
"""
import asyncio
import json
import sys
import time

HOST, PORT, PATH, QPS, SECONDS = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
REQUEST = (
    f"GET {PATH} HTTP/1.1\r\n"
    f"Host: bookinfo.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Cookie: session=eyJ1c2VyIjoiamFzb24ifQ.Z3k1bA.8cJ0yq2XQm3Nf2pN1w\r\n"
    "Connection: close\r\n"
    "\r\n"
).encode()


async def one(due, latencies, failures):
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, PORT), 10)
        writer.write(REQUEST)
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
