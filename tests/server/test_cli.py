"""``pubnub-fast serve`` / ``python -m pubnub_fast serve`` as a real process."""
import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from pubnub_fast.__main__ import build_parser, default_data_path
from tests.server.server_process import REPO_ROOT, ServerProcess

pytestmark = pytest.mark.integration


def fetch(origin, path, timeout=10):
    with urllib.request.urlopen("http://%s%s" % (origin, path), timeout=timeout) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_prints_its_port_serves_and_exits_0_on_signal(sig):
    with ServerProcess("--long-poll", "5", "--log-level", "debug") as server:
        assert server.origin.startswith("127.0.0.1:")
        assert len(str(fetch(server.origin, "/time/0")[0])) == 17
        assert server.terminate(sig) == 0
    assert any("GET /time/0" in line for line in server.output)  # debug request log


def test_serve_persists_to_the_data_file_across_restarts(tmp_path):
    data = str(tmp_path / "store.sqlite3")
    with ServerProcess("--data", data) as server:
        sent = fetch(server.origin, "/publish/demo/demo/0/ch/0/%22kept%22")
        fetch(server.origin, "/v1/channel-registration/sub-key/demo/channel-group/g?add=ch")
        assert server.terminate() == 0
    assert os.path.exists(data)
    with ServerProcess("--data", data) as server:
        history = fetch(server.origin, "/v2/history/sub-key/demo/channel/ch?include_token=true")
        assert history[0] == [{"message": "kept", "timetoken": int(sent[2])}]
        group = fetch(server.origin, "/v1/channel-registration/sub-key/demo/channel-group/g")
        assert group["payload"]["channels"] == ["ch"]
        assert server.terminate() == 0


def test_keysets_from_the_command_line():
    with ServerProcess("--keyset", "sub-a:pub-a", "--keyset", "sub-b:pub-b:secret") as server:
        assert fetch(server.origin, "/v2/presence/sub-key/sub-a")["status"] == 200
        try:
            fetch(server.origin, "/v2/presence/sub-key/nope")
        except urllib.error.HTTPError as error:
            assert error.code == 400
            assert json.loads(error.read())["message"] == "Invalid Subscribe Key"
        else:
            raise AssertionError("unknown subscribe key accepted")
        assert server.terminate() == 0


def test_bad_arguments_exit_2():
    env = dict(os.environ, PYTHONPATH=REPO_ROOT)
    for args in (["serve", "--keyset", "nocolon"], ["serve", "--port", "70000"],
                 ["serve", "--long-poll", "0"], ["nothing"], []):
        result = subprocess.run(
            [sys.executable, "-m", "pubnub_fast", *args], env=env, cwd=REPO_ROOT,
            capture_output=True, text=True, timeout=30,
        )
        assert result.returncode == 2, (args, result.stderr)


def test_a_busy_port_is_reported_and_exits_1():
    with ServerProcess() as first:
        second = subprocess.run(
            [sys.executable, "-m", "pubnub_fast", "serve", "--port", str(first.port), "--data", ":memory:"],
            env=dict(os.environ, PYTHONPATH=REPO_ROOT), cwd=REPO_ROOT,
            capture_output=True, text=True, timeout=30,
        )
        assert second.returncode == 1
        assert "cannot start the server" in second.stderr


def test_parser_defaults():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.long_poll, args.keysets, args.log_level) == (
        "127.0.0.1", 8090, 280.0, [], "info",
    )
    assert default_data_path({"XDG_DATA_HOME": "/x"}) == "/x/pubnub-fast/server.sqlite3"
    assert default_data_path({}).endswith(os.path.join(".local", "share", "pubnub-fast", "server.sqlite3"))


@pytest.mark.parametrize(
    "kind", ["proc", "directory", "not-sqlite", "missing-parent", "file-as-parent"]
)
def test_an_unusable_data_path_gives_one_line_naming_it_and_exits_1_at_once(tmp_path, kind):
    (tmp_path / "junk.sqlite3").write_bytes(b"this is not an SQLite database, just text\n" * 50)
    (tmp_path / "plain").write_text("x")
    data = {
        "proc": "/proc/x.sqlite3",
        "directory": str(tmp_path),
        "not-sqlite": str(tmp_path / "junk.sqlite3"),
        "missing-parent": str(tmp_path / "typo" / "deeper" / "store.sqlite3"),
        "file-as-parent": str(tmp_path / "plain" / "store.sqlite3"),
    }[kind]
    result = subprocess.run(
        [sys.executable, "-m", "pubnub_fast", "serve", "--port", "0", "--data", data],
        env=dict(os.environ, PYTHONPATH=REPO_ROOT), cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=30,  # used to hang forever (a live ThreadPool)
    )
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("pubnub-fast: cannot start the server: ") and data in lines[0]
    assert not (tmp_path / "typo").exists()  # a typo creates nothing
