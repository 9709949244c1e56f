"""Raw AES-256-CBC throughput of the compiled crypto twin vs ``openssl speed``.

Group ``aes-cbc-throughput``: ``_crypto_c.aes_cbc_encrypt(key, iv, block)`` on a 16 KiB block
(one call = the Python call, the 16 KiB + 16 B result allocation, PKCS#7 padding and the
encryption of 1025 blocks). Its throughput (16384 bytes / median) must be at least 90 % of what
``openssl speed -evp aes-256-cbc -bytes 16384 -seconds 1`` reports on the same machine in the
same run (the ``16384 bytes`` column; OpenSSL's figure is a mean over one second, with no
Python in the loop). Both figures and the ratio are in ``extra_info``. Skipped when ``openssl``
is not installed or the compiled twin is not built; under ``--bench-quick`` only the output is
checked (no ``openssl speed``, no target).

    python -m pytest bench/test_bench_aes_throughput.py --benchmark-only -q -p no:cacheprovider
"""
import os
import re
import shutil
import subprocess

import pytest

from pubnub_fast import _speedups

BLOCK = 16384
TARGET = 0.90  # of openssl's figure


def openssl_speed_aes_256_cbc(block=BLOCK):
    """Bytes per second ``openssl speed -evp aes-256-cbc`` reports for ``block``-byte buffers."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    command = [openssl, "speed", "-evp", "aes-256-cbc", "-bytes", str(block), "-seconds", "1"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, LC_ALL="C"))
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip("openssl speed could not run: %s" % exc)
    if done.returncode != 0:
        pytest.skip("openssl speed failed (%d): %s" % (done.returncode, done.stderr.strip()[-300:]))
    return parse_openssl_speed(done.stdout, block)


def parse_openssl_speed(output, block=BLOCK):
    """The ``block`` column of the ``aes-256-cbc`` row, in bytes per second.

    OpenSSL prints (in 1000s of bytes per second)::

        type          16384 bytes
        AES-256-CBC    1356725.23k
    """
    lines = output.splitlines()
    for index, line in enumerate(lines):
        header = line.split()
        if header[:1] != ["type"]:
            continue
        columns = re.findall(r"(\d+) bytes", line)
        if str(block) not in columns:
            continue
        column = columns.index(str(block))
        for row in lines[index + 1:]:
            fields = row.split()
            if fields and fields[0].lower() == "aes-256-cbc":
                value = fields[1 + column]
                if not value.endswith("k"):
                    raise ValueError("unexpected openssl speed figure %r" % value)
                return float(value[:-1]) * 1000.0
    raise ValueError("no %d-byte aes-256-cbc figure in openssl speed output:\n%s" % (block, output))


def test_parse_openssl_speed():
    sample = ("The 'numbers' are in 1000s of bytes per second processed.\n"
              "type          16384 bytes\n"
              "AES-256-CBC    1356725.23k\n")
    assert parse_openssl_speed(sample) == pytest.approx(1356725230.0)
    several = ("type             16 bytes     64 bytes    256 bytes   1024 bytes   8192 bytes  16384 bytes\n"
               "aes-256-cbc     900.00k     1000.00k     1100.00k     1200.00k     1300.00k     1400.00k\n")
    assert parse_openssl_speed(several) == pytest.approx(1400000.0)


@pytest.mark.benchmark(group="aes-cbc-throughput", min_time=200e-6)
def test_aes_cbc_throughput_vs_openssl(benchmark, bench_quick):
    if _speedups.extensions_disabled():
        pytest.skip("compiled twins disabled (PUBNUB_FAST_NO_EXTENSIONS)")
    try:
        twin = _speedups.twin("crypto", "c")
    except ImportError as exc:
        pytest.skip("compiled crypto twin not built: %s" % exc)
    key = bytes(range(32))
    iv = bytes(range(16))
    block = bytes(range(256)) * (BLOCK // 256)
    py = _speedups.twin("crypto", "py")
    expected = py.aes_cbc_encrypt(key, iv, block)
    assert twin.aes_cbc_encrypt(key, iv, block) == expected
    assert twin.aes_cbc_decrypt(key, iv, expected) == block

    assert benchmark(twin.aes_cbc_encrypt, key, iv, block) == expected
    if bench_quick:  # CI: executed and checked; openssl's figure and the target only in full runs
        return
    stats = getattr(benchmark, "stats", None)
    if stats is None:
        pytest.fail("nothing was measured (--benchmark-disable?): run with --bench-quick to only execute")
    openssl = openssl_speed_aes_256_cbc()
    ours = BLOCK / stats.stats.median
    share = ours / openssl
    benchmark.extra_info.update({
        "block_bytes": BLOCK,
        "pubnub_fast_MB_s": round(ours / 1e6, 1),
        "openssl_speed_MB_s": round(openssl / 1e6, 1),
        "share_of_openssl": round(share, 3),
    })
    assert share >= TARGET, (
        "aes_cbc_encrypt on 16 KiB: %.0f MB/s is %.1f %% of openssl speed's %.0f MB/s; the target is %d %%"
        % (ours / 1e6, share * 100, openssl / 1e6, TARGET * 100))
