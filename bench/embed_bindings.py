"""The Python binding: start() to the first answered request (in-process
dispatch, and GET / over HTTP), and memory per idle emulator.

    DYNAMO_EMU_LIB=build/server/libdynamo-emu.so PYTHONPATH=bindings/python python3 bench/embed_bindings.py
"""
import statistics
import sys
import time
import urllib.request

import dynamo_emu


def rss_kib():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def main(runs=30, count=10):
    dynamo_emu.version()  # the library loaded before timing
    # Memory first, before the C heap has freed memory to reuse.
    before = rss_kib()
    running = [dynamo_emu.start(threads=1) for _ in range(count)]
    for e in running:
        e.dispatch("ListTables")
    time.sleep(0.3)
    after = rss_kib()
    print(f"Python: {count} idle emulators (threads=1) add {after - before} KiB, "
          f"{(after - before) / count:.0f} KiB each")
    for e in running:
        e.stop()

    for http in (False, True):
        times = []
        for _ in range(runs):
            begin = time.perf_counter()
            with dynamo_emu.start() as endpoint:
                if http:
                    urllib.request.urlopen(endpoint + "/").read()
                else:
                    assert endpoint.dispatch("ListTables")[0] == 200
                times.append((time.perf_counter() - begin) * 1000)
        times.sort()
        print(f"Python start() to first answer, {'HTTP GET /' if http else 'dispatch':10} "
              f"best {times[0]:.2f} ms  median {statistics.median(times):.2f} ms")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:]))
