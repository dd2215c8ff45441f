#!/usr/bin/env python3
"""Cold start to an interactive first screen, for benches/coldstart.sh.

Starts each app in turn (alternating, so a noisy neighbour hits both alike), times from the
spawn to the line "ready" that the app prints once its page says it can be used (the kiosk:
home screen with its topics; the minimal window: its first frame), then lets it exit. Reports
median, p90 and the median ratio. Usage: coldstart.py RUNS NAME=BINARY NAME=BINARY
"""
import statistics
import subprocess
import sys
import time
import os

ERR = open(os.environ["COLDSTART_STDERR"], "a") if os.environ.get("COLDSTART_STDERR") else subprocess.DEVNULL


class StartFailed(Exception):
    pass


def once(binary: str) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([binary], stdout=subprocess.PIPE, stderr=ERR, text=True)
    for line in proc.stdout:
        if line.strip() == "ready":
            elapsed = time.perf_counter() - start
            break
    else:
        proc.wait()
        raise StartFailed(f"{binary} exited ({proc.returncode}) without saying it was ready")
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return elapsed * 1000


def main() -> None:
    runs = int(sys.argv[1])
    apps = [arg.split("=", 1) for arg in sys.argv[2:]]
    for _, binary in apps:  # warm-up: page cache, the kiosk's first library build
        once(binary)
        once(binary)
    times = {name: [] for name, _ in apps}
    failures = 0
    for _ in range(runs):
        for name, binary in apps:
            # Under a busy X server a start now and then fails to open the display (GTK
            # init); count it and start again rather than lose the run.
            for attempt in range(3):
                try:
                    times[name].append(once(binary))
                    break
                except StartFailed as failed:
                    failures += 1
                    print(f"  ({failed}; starting again)", file=sys.stderr)
            else:
                raise SystemExit(f"{name} failed to start three times in a row")
    print("| app | median ms | p90 ms | min ms | runs |")
    print("|---|---:|---:|---:|---:|")
    for name, values in times.items():
        values.sort()
        p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
        print(f"| {name} | {statistics.median(values):.0f} | {p90:.0f} | {values[0]:.0f} | {len(values)} |")
    (base, _), (kiosk, _) = apps
    ratio = statistics.median(times[kiosk]) / statistics.median(times[base])
    print(f"\nratio of medians: {kiosk} / {base} = {ratio:.2f} (goal <= 1.30)")
    if failures:
        print(f"starts that failed and were repeated: {failures}")


if __name__ == "__main__":
    main()
