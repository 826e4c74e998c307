#!/usr/bin/env python3
"""Write the Python reference values that the tfrecord tests compare against.

Run from anywhere with `python3 libs/tfrecord/scripts/generate_test_vectors.py`. It needs
CPython 3 for python-random.json and NumPy for shard-plan.json, and records both versions in the
output. The shard split mirrors build_image_data.py (tensorflow/models research/inception),
with `astype(int)` in place of `astype(np.int)`, which NumPy 1.24 removed.
"""

import json
import math
import pathlib
import random
import sys

import numpy as np

OUT_DIR = pathlib.Path(__file__).resolve().parent.parent / "src" / "testdata"
SHUFFLE_SIZES = [1, 2, 10, 1000, 3670]
SEEDS = [12345, 0, 1, -7, 2**40 + 3, 2**64 + 5]
GETRANDBITS_WIDTHS = [0, 1, 7, 31, 32, 33, 53, 64, 100]
RANDBELOW_LIMITS = [1, 2, 3, 5, 1000, 2**31 + 1, 2**32 - 1, 2**32, 2**33 + 7, 2**53 - 1]


def random_vectors():
    shuffles = []
    for size in SHUFFLE_SIZES:
        random.seed(12345)
        items = list(range(size))
        random.shuffle(items)
        shuffles.append({"seed": 12345, "size": size, "order": items})

    floats = []
    for seed in SEEDS:
        generator = random.Random(seed)
        floats.append({"seed": str(seed), "values": [generator.random() for _ in range(8)]})

    generator = random.Random(12345)
    bits = [{"bitCount": k, "value": str(generator.getrandbits(k))} for k in GETRANDBITS_WIDTHS]

    generator = random.Random(12345)
    below = [{"n": n, "value": generator._randbelow(n)} for n in RANDBELOW_LIMITS]

    return {
        "python": sys.version.split()[0],
        "shuffles": shuffles,
        "random": floats,
        "getrandbitsSequence": {"seed": 12345, "draws": bits},
        "randbelowSequence": {"seed": 12345, "draws": below},
    }


def plan_shards(num_images, num_shards, num_threads):
    """Shard ranges as build_image_data.py's _process_image_files and _process_image_files_batch cut them."""
    spacing = np.linspace(0, num_images, num_threads + 1).astype(int)
    ranges = [[int(spacing[i]), int(spacing[i + 1])] for i in range(len(spacing) - 1)]
    shards_per_thread = int(num_shards / num_threads)
    shards = []
    for thread_index in range(num_threads):
        bounds = np.linspace(ranges[thread_index][0], ranges[thread_index][1], shards_per_thread + 1).astype(int)
        for s in range(shards_per_thread):
            shards.append({
                "shardIndex": thread_index * shards_per_thread + s,
                "threadIndex": thread_index,
                "start": int(bounds[s]),
                "end": int(bounds[s + 1]),
            })
    return shards


def inexact_linspace_cases(start, limit):
    """Find (start, stop, num) cases where a float64 point truncates below the exact quotient."""
    cases = []
    for width in range(1, limit):
        for num in range(3, 40):
            values = np.linspace(start, start + width, num)
            if any(math.trunc(v) != start + (i * width) // (num - 1) for i, v in enumerate(values)):
                cases.append((start, start + width, num))
                break
        if len(cases) >= 3:
            break
    return cases


def shard_plan_vectors():
    plan_cases = [
        (3670, 2, 2), (3670, 10, 2), (3670, 12, 4), (10, 4, 2), (7, 6, 3), (0, 2, 2), (1, 4, 4),
        (3, 8, 8), (1000, 12, 4), (999, 9, 3), (50000, 128, 8), (1281167, 1024, 8),
        # linspace(0, 30, 23)[11] is 14.999999999999998 in float64, so shard 10 ends at 14, not 15.
        (30, 22, 1), (45, 33, 1), (60, 44, 2),
    ]
    linspace_cases = [(0, 3670, 3), (0, 1281167, 9), (0, 50000, 9), (160145, 320291, 129), (0, 1, 1), (5, 5, 4)]
    for start in (0, 3, 117):
        linspace_cases.extend(inexact_linspace_cases(start, 3000))

    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "linspace": [
            {"start": start, "stop": stop, "num": num, "values": [float(v) for v in np.linspace(start, stop, num)]}
            for start, stop, num in linspace_cases
        ],
        "plans": [
            {"numImages": n, "numShards": shards, "numThreads": threads, "shards": plan_shards(n, shards, threads)}
            for n, shards, threads in plan_cases
        ],
        "fileNames": [
            {"split": split, "shardIndex": index, "numShards": total, "name": "%s-%.5d-of-%.5d" % (split, index, total)}
            for split, index, total in [("train", 0, 2), ("validation", 127, 128), ("train", 1023, 1024), ("train", 5, 123456)]
        ],
    }


def write(name, value):
    path = OUT_DIR / name
    path.write_text(json.dumps(value, separators=(",", ":")) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write("python-random.json", random_vectors())
    write("shard-plan.json", shard_plan_vectors())
