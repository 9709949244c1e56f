"""``pubnub_fast.compat``: ``import pubnub…`` resolves to pubnub_fast (decisions.md §24).

Every check runs in a fresh interpreter: the test process may have PubNub's own ``pubnub``
package imported (the interop tests use it), and install() refuses to mix the two.
"""
import os
import subprocess
import sys
import textwrap

from tests.server.server_process import REPO_ROOT

ENV = dict(os.environ, PYTHONPATH=REPO_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))


def python(*args, cwd=REPO_ROOT):
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=60, env=ENV, cwd=cwd)
    return done.returncode, done.stdout, done.stderr


def test_install_aliases_the_module_objects():
    code, out, err = python("-c", textwrap.dedent("""
        import sys
        import pubnub_fast.compat
        pubnub_fast.compat.install()
        pubnub_fast.compat.install()  # idempotent
        import pubnub
        import pubnub.pubnub
        from pubnub.pnconfiguration import PNConfiguration
        from pubnub.pubnub_asyncio import PubNubAsyncio
        from pubnub.models.consumer.pubsub import PNMessageResult
        import pubnub_fast, pubnub_fast.pubnub, pubnub_fast.pnconfiguration, pubnub_fast.models.consumer.pubsub
        assert pubnub is pubnub_fast and pubnub.pubnub is pubnub_fast.pubnub
        assert PNConfiguration is pubnub_fast.pnconfiguration.PNConfiguration
        assert PNMessageResult is pubnub_fast.models.consumer.pubsub.PNMessageResult
        assert sys.modules["pubnub.models.consumer.pubsub"] is pubnub_fast.models.consumer.pubsub
        assert pubnub_fast.pubnub.__spec__.name == "pubnub_fast.pubnub"  # the real spec is kept
        assert pubnub_fast.compat.installed()
        try:
            import pubnub.no_such_module
        except ModuleNotFoundError as exc:
            print(exc)
        pubnub_fast.compat.uninstall()
        assert "pubnub" not in sys.modules and not pubnub_fast.compat.installed()
        print("ok")
    """))
    assert code == 0, err
    assert out.splitlines() == [
        "No module named 'pubnub.no_such_module': pubnub_fast.compat maps it to 'pubnub_fast.no_such_module', "
        "which pubnub_fast does not have",
        "ok"]


def test_install_refuses_when_the_official_package_is_already_imported():
    code, out, err = python("-c", textwrap.dedent("""
        import pubnub.pubnub  # PubNub's own package (a test-only peer)
        import pubnub_fast.compat
        try:
            pubnub_fast.compat.install()
        except RuntimeError as exc:
            print("refused:", "before PubNub's 'pubnub' package is imported" in str(exc))
    """))
    assert code == 0, err
    assert out == "refused: True\n"


def test_run_a_script_unchanged(tmp_path):
    (tmp_path / "helper.py").write_text("VALUE = 42\n")
    (tmp_path / "program.py").write_text(textwrap.dedent("""
        import sys
        import helper  # the script's directory is on sys.path, as with `python program.py`
        from pubnub.pubnub import PubNub
        from pubnub.enums import PNStatusCategory
        print(__name__, sys.argv[1:], helper.VALUE, PubNub.__module__)
        sys.exit(3)
    """))
    code, out, err = python("-m", "pubnub_fast.compat", str(tmp_path / "program.py"), "--flag", "x", cwd=str(tmp_path))
    assert code == 3, err
    assert out == "__main__ ['--flag', 'x'] 42 pubnub_fast.pubnub\n"


def test_run_a_module_unchanged(tmp_path):
    (tmp_path / "tool.py").write_text(textwrap.dedent("""
        import sys
        import pubnub.exceptions
        print(__name__, sys.argv[1:], pubnub.exceptions.__name__)
    """))
    code, out, err = python("-m", "pubnub_fast.compat", "-m", "tool", "a", cwd=str(tmp_path))
    assert code == 0, err
    assert out == "__main__ ['a'] pubnub_fast.exceptions\n"


def test_usage_without_a_program():
    code, out, err = python("-m", "pubnub_fast.compat")
    assert code == 2 and "usage: python -m pubnub_fast.compat script.py" in err
