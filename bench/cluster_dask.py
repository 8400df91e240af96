#!/usr/bin/python3
"""bench-cluster's reference: the same no-op workload through a Dask
scheduler with 2 worker processes (1 thread each) on this machine.
Usage: cluster_dask.py JOBS SERIAL. Prints "name value" lines."""
import sys, time, statistics
from dask.distributed import Client, LocalCluster


def noop(i):
    return time.monotonic()


def main():
    jobs, serial = int(sys.argv[1]), int(sys.argv[2])
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.gather(client.map(noop, range(10), pure=False))  # warm up
        t0 = time.monotonic()
        futures = [client.submit(noop, i, pure=False) for i in range(jobs)]
        client.gather(futures)
        t1 = time.monotonic()
        print("throughput_jobs_per_s %.1f" % (jobs / (t1 - t0)))
        disp, rtt = [], []
        for i in range(serial):
            s0 = time.monotonic()
            started = client.submit(noop, jobs + i, pure=False).result()
            rtt.append((time.monotonic() - s0) * 1e6)
            disp.append((started - s0) * 1e6)
        disp.sort(); rtt.sort()
        print("dispatch_p50_us %d" % disp[serial // 2])
        print("dispatch_p99_us %d" % disp[serial * 99 // 100])
        print("roundtrip_p50_us %d" % rtt[serial // 2])
        print("roundtrip_p99_us %d" % rtt[serial * 99 // 100])


if __name__ == "__main__":
    main()
