"""Work spread over the machine's cores, for the parts of a build that are many
independent jobs (parsing seed files, validating CSVs): one place that decides when
worker processes are worth starting and hands the results back in order."""

import concurrent.futures
import os
import threading
import time

# At most this many worker processes, however many cores the machine has.
MAX_WORKERS = 8


def map_on_cores(function, jobs, stack, worth_it, chunksize=1):
    """function(job) for each job, in order, as an iterator. When worth_it and the machine
    has more than one core, the jobs (even a single one) start at once on worker processes owned by `stack`
    (an ExitStack), in chunks of chunksize, and run while the caller does other work;
    otherwise each runs in this process as its result is taken. function must be a
    module-level function (it is pickled to the workers)."""
    jobs = list(jobs)
    cores = os.cpu_count() or 1
    if not (worth_it and cores > 1 and jobs):
        return map(function, jobs)
    workers = min(cores, MAX_WORKERS, len(jobs))
    pool = stack.enter_context(
        concurrent.futures.ProcessPoolExecutor(
            workers, initializer=end_with_parent, initargs=(os.getpid(),)
        )
    )
    chunks = [jobs[start : start + chunksize] for start in range(0, len(jobs), chunksize)]
    futures = [pool.submit(_run_chunk, function, chunk) for chunk in chunks]
    return (result for future in futures for result in future.result())


def end_with_parent(parent):
    """In a worker process: end when `parent` does, however it ends. A worker whose build
    was killed (SIGKILL, which no clean-up follows) would otherwise wait for work forever.
    A thread checks every PARENT_CHECK_SECONDS whether the worker is now another's child."""

    def watch():
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


PARENT_CHECK_SECONDS = 0.5


def _run_chunk(function, chunk):
    return [function(job) for job in chunk]
