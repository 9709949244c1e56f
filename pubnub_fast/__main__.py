"""The ``pubnub-fast`` command (also ``python -m pubnub_fast``).

Subcommands are registered in :data:`SUBCOMMANDS`; each is a ``(help, configure(parser),
run(args))`` triple: ``serve`` (below) and ``demo`` (:mod:`pubnub_fast.demo`, decisions.md §16).

``pubnub-fast serve`` runs the local PubNub-compatible server (decisions.md §11)::

    pubnub-fast serve [--host 127.0.0.1] [--port 8090] [--data PATH]
                      [--keyset sub:pub[:secret]]... [--keyset-file PATH]...
                      [--long-poll SECONDS]
                      [--max-file-size BYTES]
                      [--presence-announce-max N] [--presence-interval SECONDS]
                      [--presence-deltas]
                      [--header-timeout S] [--body-timeout S] [--idle-timeout S]
                      [--max-connections N] [--max-connections-per-client N]
                      [--max-header-bytes BYTES] [--cors-origin ORIGIN]...
                      [--allow-host NAME]...
                      [--log-level debug|info|warning]

On startup it prints ``pubnub-fast serving on http://HOST:PORT`` (the real port when ``--port 0``)
and exits 0 on SIGINT/SIGTERM after a clean shutdown.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from typing import Any, Callable, Sequence

DEFAULT_PORT = 8090
DEFAULT_LONG_POLL = 280.0
DEFAULT_ANNOUNCE_MAX = 20  # = pubnub_fast.server.presence.DEFAULT_ANNOUNCE_MAX (not imported: lazy)
DEFAULT_PRESENCE_INTERVAL = 10.0  # = pubnub_fast.server.presence.DEFAULT_INTERVAL
# = pubnub_fast.server.http.HttpSettings defaults (not imported: lazy; a test checks they agree)
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_BODY_TIMEOUT = 60.0
DEFAULT_IDLE_TIMEOUT = 75.0
DEFAULT_MAX_CONNECTIONS = 1024
DEFAULT_MAX_PER_CLIENT = 256
DEFAULT_MAX_HEADER_BYTES = 32 * 1024


def default_data_path(environ: dict[str, str] | None = None) -> str:
    """``$XDG_DATA_HOME/pubnub-fast/server.sqlite3`` (``~/.local/share/…`` when unset)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "pubnub-fast", "server.sqlite3")


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number of seconds" % text) from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600 seconds, not %s" % text)
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a port number" % text) from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("port must be 0..65535, not %s" % text)
    return value


def _keyset(text: str) -> Any:
    from pubnub_fast.server.keysets import Keyset

    try:
        return Keyset.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _allowed_host(text: str) -> str:
    from pubnub_fast.server.http import HostPolicy

    try:
        HostPolicy([text])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def _file_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number of bytes" % text) from None
    if not 1 <= value <= 1024 * 1024 * 1024:
        raise argparse.ArgumentTypeError("must be between 1 byte and 1 GiB, not %s" % text)
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a whole number" % text) from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more, not %s" % text)
    return value


def _occupancy(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a number of occupants" % text) from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more, not %s" % text)
    return value


#: Environment variable holding keysets (``sub:pub[:secret]``, separated by spaces or commas).
KEYSETS_ENV = "PUBNUB_FAST_KEYSETS"


def _default_limit(name: str) -> Any:
    from pubnub_fast.server.limits import Limits

    return getattr(Limits, name)


def _show_bytes(value: int) -> str:
    for unit, size in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if value % size == 0:
            return "%d%s" % (value // size, unit)
    return str(value)


def _budget(text: str) -> int:
    from pubnub_fast.server.limits import MIN_BUDGET_BYTES, parse_bytes

    try:
        value = parse_bytes(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value < MIN_BUDGET_BYTES:
        raise argparse.ArgumentTypeError("must be at least %d bytes, not %s" % (MIN_BUDGET_BYTES, text))
    return value


def gather_keysets(args: argparse.Namespace, environ: dict[str, str] | None = None) -> list[Any]:
    """``--keyset`` values, then those of each ``--keyset-file``, then ``$PUBNUB_FAST_KEYSETS``.

    Raises ``ValueError`` with one line naming the file (or variable) and the line at fault.
    """
    from pubnub_fast.server.keysets import Keyset

    found = list(args.keysets)
    for path in args.keyset_files:
        try:
            with open(path, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError("cannot read the keyset file %s: %s" % (path, getattr(exc, "strerror", None) or exc)) from None
        for number, line in enumerate(lines, 1):
            text = line.split("#", 1)[0].strip()
            if text:
                try:
                    found.append(Keyset.parse(text))
                except ValueError:
                    raise ValueError("%s line %d is not of the form sub:pub[:secret]" % (path, number)) from None
    value = (os.environ if environ is None else environ).get(KEYSETS_ENV, "")
    for text in value.replace(",", " ").split():
        try:
            found.append(Keyset.parse(text))
        except ValueError:
            raise ValueError("$%s holds an entry not of the form sub:pub[:secret]" % KEYSETS_ENV) from None
    return found


def configure_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback)")
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT,
        help="TCP port (default %d; 0 picks a free one)" % DEFAULT_PORT,
    )
    parser.add_argument(
        "--data", default=None,
        help="SQLite file for messages and channel groups (default: %s, its directory created "
        "if needed; a given PATH's directory must exist; ':memory:' for none)"
        % default_data_path(),
    )
    parser.add_argument(
        "--keyset", dest="keysets", action="append", type=_keyset, default=[], metavar="SUB:PUB[:SECRET]",
        help="accept this keyset (repeatable; a SECRET turns Access Manager on for it); without any, "
             "every key is accepted (demo mode). A SECRET given here is visible to every local user "
             "in the process list: prefer --keyset-file or $PUBNUB_FAST_KEYSETS",
    )
    parser.add_argument(
        "--long-poll", type=_positive_seconds, default=DEFAULT_LONG_POLL, metavar="SECONDS",
        help="how long an idle subscribe is held (default %g)" % DEFAULT_LONG_POLL,
    )
    parser.add_argument(
        "--max-file-size", type=_file_size, default=5 * 1024 * 1024, metavar="BYTES",
        help="largest shared file accepted (default 5242880, the real service's 5 MiB)",
    )
    parser.add_argument(
        "--presence-announce-max", type=_occupancy, default=DEFAULT_ANNOUNCE_MAX, metavar="N",
        help="announce every presence join/leave/timeout while a channel has at most N occupants; "
        "above N the channel switches to interval mode (default %d)" % DEFAULT_ANNOUNCE_MAX,
    )
    parser.add_argument(
        "--presence-interval", type=_positive_seconds, default=DEFAULT_PRESENCE_INTERVAL,
        metavar="SECONDS",
        help="in interval mode, send one 'interval' presence event (occupancy) per channel "
        "every SECONDS instead of joins/leaves/timeouts (default %g)" % DEFAULT_PRESENCE_INTERVAL,
    )
    parser.add_argument(
        "--presence-deltas", action="store_true",
        help="presence deltas: 'interval' events also list the uuids that joined/left/timed out "
        "since the previous one ('here_now_refresh': true instead when over ~30 KB)",
    )
    http = parser.add_argument_group(
        "HTTP front",
        "Limits against slow or hostile clients. A stored publish is answered 200 only once it is "
        "committed to the SQLite file (WAL, synchronous=NORMAL): it survives the server process "
        "being killed, not a power failure or OS crash (durability).",
    )
    http.add_argument(
        "--header-timeout", type=_positive_seconds, default=DEFAULT_HEADER_TIMEOUT, metavar="SECONDS",
        help="a request head must arrive within SECONDS of its first byte (or of the connection "
        "opening); trickling bytes does not extend it (408, default %g)" % DEFAULT_HEADER_TIMEOUT,
    )
    http.add_argument(
        "--body-timeout", type=_positive_seconds, default=DEFAULT_BODY_TIMEOUT, metavar="SECONDS",
        help="a request body must arrive within SECONDS of its head (408, default %g)" % DEFAULT_BODY_TIMEOUT,
    )
    http.add_argument(
        "--idle-timeout", type=_positive_seconds, default=DEFAULT_IDLE_TIMEOUT, metavar="SECONDS",
        help="close keep-alive connections idle this long (default %g)" % DEFAULT_IDLE_TIMEOUT,
    )
    http.add_argument(
        "--max-connections", type=_count, default=DEFAULT_MAX_CONNECTIONS, metavar="N",
        help="open connections at most, kept below the file-descriptor limit; at the cap the "
        "connection stalled longest in its request head (then the longest idle) is closed, and "
        "a new one is refused with 503 only when all are busy (default %d)" % DEFAULT_MAX_CONNECTIONS,
    )
    http.add_argument(
        "--max-connections-per-client", type=_count, default=DEFAULT_MAX_PER_CLIENT, metavar="N",
        help="open connections per client address at most (default %d)" % DEFAULT_MAX_PER_CLIENT,
    )
    http.add_argument(
        "--max-header-bytes", type=_count, default=DEFAULT_MAX_HEADER_BYTES, metavar="BYTES",
        help="request headers at most (431 above; default %d)" % DEFAULT_MAX_HEADER_BYTES,
    )
    http.add_argument(
        "--cors-origin", dest="cors_origins", action="append", default=None, metavar="ORIGIN",
        help="browser origin allowed to call the server (repeatable): 'loopback' (web pages served "
        "from this machine, any port; the default), '*' (any page: unsafe with demo-mode keys), or "
        "an exact origin such as https://app.example. Requests from other origins get 403.",
    )
    http.add_argument(
        "--allow-host", dest="allowed_hosts", action="append", type=_allowed_host, default=[],
        metavar="NAME",
        help="also answer requests whose Host header names NAME (repeatable; any port): "
        "myhost.lan, .example.com (it and its subdomains), *.example.com (subdomains only) or '*' "
        "(any name). IP addresses, localhost and *.localhost are always answered; requests for "
        "other names get 421 (a web page whose name is rebound to this machine's address cannot "
        "use the server: DNS-rebinding protection). Bound beyond loopback (--host 0.0.0.0), any "
        "name is answered unless --allow-host is given.",
    )
    limits = parser.add_argument_group(
        "memory budgets and secrets",
        "Budgets are in bytes for all keysets together (suffixes K, M, G: binary units).",
    )
    limits.add_argument(
        "--max-tail-bytes", type=_budget, default=_default_limit("tail_bytes"), metavar="BYTES",
        help="in-memory message tails (recent messages served to subscribers without SQLite); "
        "over it the least recently published channels are dropped from memory, nothing stored "
        "is lost (default %s)" % _show_bytes(_default_limit("tail_bytes")),
    )
    limits.add_argument(
        "--max-fetch-bytes", type=_budget, default=_default_limit("fetch_bytes"), metavar="BYTES",
        help="stored message JSON in one history/fetch response; a page that would pass it ends "
        "early (default %s)" % _show_bytes(_default_limit("fetch_bytes")),
    )
    limits.add_argument(
        "--max-presence-bytes", type=_budget, default=_default_limit("presence_bytes"), metavar="BYTES",
        help="presence occupants and state; over it new occupants are not recorded and setting "
        "state is a 400 (default %s)" % _show_bytes(_default_limit("presence_bytes")),
    )
    limits.add_argument(
        "--max-objects-bytes", type=_budget, default=_default_limit("objects_bytes"), metavar="BYTES",
        help="App Context metadata and memberships; over it writes that add data are a 400 "
        "(default %s)" % _show_bytes(_default_limit("objects_bytes")),
    )
    limits.add_argument(
        "--signature-window", type=_positive_seconds, default=_default_limit("signature_window"),
        metavar="SECONDS",
        help="how far a signed request's timestamp may be off the server clock, either way "
        "(default %g, the real service's)" % _default_limit("signature_window"),
    )
    limits.add_argument(
        "--keyset-file", dest="keyset_files", action="append", default=[], metavar="PATH",
        help="read keysets from PATH, one SUB:PUB[:SECRET] per line ('#' comments): keeps "
        "secrets out of the process list, where --keyset shows them. The environment variable "
        "%s (keysets separated by spaces or commas) is read too." % KEYSETS_ENV,
    )
    parser.add_argument(
        "--log-level", choices=("debug", "info", "warning"), default="info",
        help="log verbosity (debug logs every request; auth tokens and signatures redacted)",
    )


def run_serve(args: argparse.Namespace) -> int:
    """Run the server until SIGINT/SIGTERM; returns the exit status."""
    from twisted.internet import reactor as global_reactor

    reactor: Any = global_reactor  # the reactor module's typing names interfaces, not the instance

    from pubnub_fast.server import start_server

    logging.basicConfig(
        level=getattr(logging, args.log_level.upper()),
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    try:
        keysets = gather_keysets(args)
    except ValueError as exc:
        print("pubnub-fast: %s" % exc, file=sys.stderr, flush=True)
        return 2
    data = args.data or default_data_path()
    if args.data is None:  # only the default location is created; a --data path must exist
        try:
            os.makedirs(os.path.dirname(os.path.abspath(data)), exist_ok=True)
        except OSError as exc:
            print("pubnub-fast: cannot start the server: cannot create the directory of the data "
                  "file %s: %s" % (data, exc.strerror or exc), file=sys.stderr, flush=True)
            return 1
    outcome = {"status": 0}
    state: dict[str, Any] = {}

    def started(running: Any) -> None:
        state["running"] = running
        print("pubnub-fast serving on %s" % running.url, flush=True)

    def failed(failure: Any) -> None:
        print("pubnub-fast: cannot start the server: %s" % failure.getErrorMessage(), file=sys.stderr, flush=True)
        outcome["status"] = 1
        reactor.stop()

    def shut_down(signum: int, frame: Any) -> None:
        reactor.callFromThread(_stop)

    def _stop() -> None:
        if state.get("stopping"):
            return
        state["stopping"] = True
        running = state.get("running")
        if running is None:
            reactor.stop()
            return
        stopped = running.stop()
        stopped.addErrback(lambda failure: logging.getLogger("pubnub_fast.server").error(
            "unclean shutdown: %s", failure.getErrorMessage()))
        stopped.addBoth(lambda _: reactor.stop())

    def begin() -> None:
        d = start_server(
            reactor, host=args.host, port=args.port, data=data,
            keysets=keysets, long_poll=args.long_poll, max_file_size=args.max_file_size,
            presence_announce_max=args.presence_announce_max,
            presence_interval=args.presence_interval, presence_deltas=args.presence_deltas,
            header_timeout=args.header_timeout, body_timeout=args.body_timeout,
            idle_timeout=args.idle_timeout, max_connections=args.max_connections,
            max_connections_per_client=args.max_connections_per_client,
            max_header_bytes=args.max_header_bytes, cors_origins=args.cors_origins or ["loopback"],
            allowed_hosts=args.allowed_hosts,
            max_tail_bytes=args.max_tail_bytes, max_fetch_bytes=args.max_fetch_bytes,
            max_presence_bytes=args.max_presence_bytes, max_objects_bytes=args.max_objects_bytes,
            signature_window=args.signature_window,
        )
        d.addCallbacks(started, failed)

    signal.signal(signal.SIGINT, shut_down)
    signal.signal(signal.SIGTERM, shut_down)
    reactor.callWhenRunning(begin)
    reactor.run(installSignalHandlers=False)
    return outcome["status"]


def configure_demo(parser: argparse.ArgumentParser) -> None:
    from pubnub_fast import demo

    demo.add_arguments(parser)


def run_demo(args: argparse.Namespace) -> int:
    from pubnub_fast import demo

    return demo.run(args)


#: name -> (help, configure(parser), run(args) -> exit status)
SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "serve": ("run the local PubNub-compatible server", configure_serve, run_serve),
    "demo": (
        "publish and subscribe end to end (embedded server unless --origin) and print a summary",
        configure_demo,
        run_demo,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pubnub-fast", description="pubnub_fast command-line tools"
    )
    from pubnub_fast import __version__

    parser.add_argument("--version", action="version", version="pubnub-fast %s" % __version__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    for name, (help_text, configure, run) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        configure(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
