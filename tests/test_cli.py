"""First contact with the command line: ``--version``, help texts, the documented defaults."""
import importlib.metadata
import json
import os
import subprocess
import sys

import pytest

import pubnub_fast
from pubnub_fast.__main__ import build_parser, default_data_path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_version_has_one_source():
    assert importlib.metadata.version("pubnub_fast") == pubnub_fast.__version__


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == "pubnub-fast %s" % pubnub_fast.__version__


def test_version_flag_of_the_installed_command():
    done = subprocess.run([sys.executable, "-m", "pubnub_fast", "--version"], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "pubnub-fast %s" % pubnub_fast.__version__


def test_serve_help_shows_the_default_data_path(capsys, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", "/srv/xdg-data")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps long help lines
    assert "/srv/xdg-data/pubnub-fast/server.sqlite3" in out


def test_readme_names_the_default_data_path():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = " ".join(f.read().split())
    home = os.path.expanduser("~")
    shown = default_data_path({}).replace(home, "~", 1)
    assert shown == "~/.local/share/pubnub-fast/server.sqlite3"
    assert "`%s`" % shown in readme
    assert "`$XDG_DATA_HOME/pubnub-fast/server.sqlite3`" in readme


def test_bench_report_help():
    done = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "report.py"), "--help"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: report.py")
    assert "--benchmark-json" in done.stdout


def _bench(module, group, name, median):
    return {"group": group, "name": name, "fullname": "bench/test_bench_%s.py::%s" % (module, name),
            "stats": {"median": median}, "extra_info": {}}


def test_bench_report_prints_one_narrow_table_per_area(tmp_path):
    long_group = "decrypt-legacy-random-iv-with-a-very-long-descriptive-group-name-" + "x" * 80
    passes = [
        [_bench("crypto", long_group, "test_d[official]", 12e-6), _bench("crypto", long_group, "test_d[pure]", 6e-6),
         _bench("crypto", long_group, "test_d[compiled]", 1.2e-6), _bench("signing", "sign", "t[official]", 9e-6),
         _bench("signing", "sign", "t[compiled]", 0.9e-6),
         _bench("server", "server-publish", "test_server_cpu_per_publish[plain-1]", 0.3)],
        [_bench("crypto", long_group, "test_d[official]", 10e-6), _bench("crypto", long_group, "test_d[compiled]", 1e-6),
         _bench("signing", "sign", "t[official]", 8e-6), _bench("signing", "sign", "t[compiled]", 1e-6)],
    ]
    paths = []
    for index, benches in enumerate(passes):
        path = tmp_path / ("pass%d.json" % index)
        path.write_text(json.dumps({"benchmarks": benches}))
        paths.append(str(path))
    done = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "report.py")] + paths,
                          capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100, done.stdout
    headers = [line.split()[0] for line in lines if line.endswith("speed-up")]
    assert headers == ["crypto", "server", "signing"]
    # a group whose rows are not official/pure/compiled lists each row with its median
    assert any(line.split() == ["server-publish", "plain-1", "300.00", "ms"] for line in lines), done.stdout
    crypto_row = next(line for line in lines if line.startswith("decrypt-legacy"))
    assert crypto_row.split()[-4:] == ["µs", "1.00", "µs", "10.0×"]  # lowest medians: 10 µs / 1 µs
    assert "10.0 µs" in crypto_row and "6.00 µs" in crypto_row
    sign_row = next(line for line in lines if line.startswith("sign "))
    assert sign_row.split()[-1] == "8.9×"  # 8 µs / 0.9 µs
    markdown = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "report.py"), "--markdown"] + paths,
                              capture_output=True, text=True, check=True).stdout
    assert "| sign | 8.00 µs | — | 900 ns | 8.9× |" in markdown


def test_bench_report_rejects_unreadable_input(tmp_path):
    done = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "report.py"), str(tmp_path / "missing.json")],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "cannot read" in done.stderr and "missing.json" in done.stderr


SUBSCRIBED_CLIENT = """
import sys
from pubnub_fast.callbacks import SubscribeCallback
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_twisted import PubNubTwisted

config = PNConfiguration()
config.subscribe_key = config.publish_key = "demo"
config.uuid = "ctrl-c"
config.origin = sys.argv[1]
config.ssl = False  # the local server speaks plain HTTP (ssl defaults to True, decisions §3)


class Listener(SubscribeCallback):
    def status(self, pubnub, status):
        print("STATUS", status.category.name, "error" if status.is_error() else "ok", flush=True)

    def message(self, pubnub, message):
        pass

    def presence(self, pubnub, presence):
        pass


pubnub = PubNubTwisted(config)
pubnub.add_listener(Listener())
pubnub.subscribe().channels(["ctrl-c"]).execute()
pubnub.start()
print("REACTOR STOPPED", flush=True)
"""


@pytest.mark.integration
def test_ctrl_c_on_a_subscribed_client_is_a_clean_disconnect(tmp_path):
    import signal

    from tests.server.server_process import ServerProcess

    script = tmp_path / "client.py"
    script.write_text(SUBSCRIBED_CLIENT)
    with ServerProcess("--long-poll", "30") as server:
        client = subprocess.Popen([sys.executable, str(script), server.origin], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=ROOT))
        try:
            first = client.stdout.readline()
            assert first.strip() == "STATUS PNConnectedCategory ok", first + client.stderr.read()
            client.send_signal(signal.SIGINT)  # what Ctrl-C in a terminal sends; the long-poll is in flight
            out, err = client.communicate(timeout=20)
        finally:
            if client.poll() is None:
                client.kill()
                client.communicate()
    assert client.returncode == 0, err
    assert out.splitlines() == ["STATUS PNDisconnectedCategory ok", "REACTOR STOPPED"], (out, err)
    assert "Traceback" not in err and "Unhandled" not in err, err
