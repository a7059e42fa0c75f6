"""aiohttp with asyncio.gather, capped by a semaphore: the Python way to fetch a list at once.

Usage: python3 aiohttp_gather.py <url-file> <cap|all>; prints {"wallMs","ok","failed"} as JSON.
"""
import asyncio
import json
import sys
import time

import aiohttp


async def fetch(session, semaphore, url):
    async with semaphore:
        try:
            async with session.get(url) as response:
                await response.read()
                return 200 <= response.status < 400
        except Exception:
            return False


async def main(path, cap_text):
    with open(path, encoding="utf-8") as handle:
        urls = [line.strip() for line in handle if line.strip()]
    cap = len(urls) if cap_text == "all" else int(cap_text)
    start = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        semaphore = asyncio.Semaphore(cap)
        results = await asyncio.gather(*(fetch(session, semaphore, url) for url in urls))
    wall_ms = (time.perf_counter() - start) * 1000
    ok = sum(1 for good in results if good)
    print(json.dumps({"wallMs": wall_ms, "ok": ok, "failed": len(results) - ok}))


asyncio.run(main(sys.argv[1], sys.argv[2]))
