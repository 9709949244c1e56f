"""Server JSON samples shared by the model tests (shapes from spec/protocol.md §2 and the vectors)."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# id -> (response, requested channel names, expected (total_channels, total_occupancy, channels view))
# channels view: ("list", [(name, occupancy, [(uuid, state)] or None)]) or ("dict", [keys])
HERE_NOW_CASES = {
    "payload-multi": (
        {"status": 200, "message": "OK",
         "payload": {"channels": {"ch2": {"uuids": ["u1"], "occupancy": 1},
                                  "ch1": {"uuids": ["u1", "u2"], "occupancy": 2}},
                     "total_channels": 2, "total_occupancy": 3},
         "service": "Presence"},
        ["ch1", "ch2"],
        (2, 3, ("list", [("ch2", 1, [("u1", None)]), ("ch1", 2, [("u1", None), ("u2", None)])])),
    ),
    "payload-state": (
        {"status": 200, "message": "OK",
         "payload": {"channels": {"ch1": {"uuids": [{"uuid": "u1", "state": {"mood": "ok"}}, {"uuid": "u2"}],
                                          "occupancy": 2}},
                     "total_channels": 1, "total_occupancy": 2},
         "service": "Presence"},
        ["ch1", "ch2"],
        (1, 2, ("list", [("ch1", 2, [("u1", {"mood": "ok"}), ("u2", None)])])),
    ),
    "payload-disable-uuids": (
        {"status": 200, "message": "OK",
         "payload": {"channels": {"ch1": {"occupancy": 3}}, "total_channels": 1, "total_occupancy": 3},
         "service": "Presence"},
        ["ch1", "ch2"],
        (1, 3, ("list", [("ch1", 3, None)])),
    ),
    "payload-global": (
        {"status": 200, "message": "OK",
         "payload": {"channels": {"a": {"uuids": ["u1"], "occupancy": 1}}, "total_channels": 1,
                     "total_occupancy": 1},
         "service": "Presence"},
        [],
        (1, 1, ("list", [("a", 1, [("u1", None)])])),
    ),
    "payload-empty-one-channel": (
        {"status": 200, "message": "OK", "payload": {"channels": {}, "total_channels": 0, "total_occupancy": 0},
         "service": "Presence"},
        ["ch1"],
        (1, 0, ("list", [("ch1", 0, [])])),
    ),
    "payload-empty-many-channels": (
        {"status": 200, "message": "OK", "payload": {"channels": {}, "total_channels": 0, "total_occupancy": 0},
         "service": "Presence"},
        ["ch1", "ch2"],
        (0, 0, ("dict", [])),
    ),
    "payload-empty-global": (
        {"status": 200, "message": "OK", "payload": {"channels": {}, "total_channels": 0, "total_occupancy": 0},
         "service": "Presence"},
        [],
        (0, 0, ("dict", [])),
    ),
    "single-occupancy-zero": (
        {"status": 200, "message": "OK", "service": "Presence", "uuids": [], "occupancy": 0},
        ["ch1"],
        (1, 0, ("list", [("ch1", 0, [])])),
    ),
    "single-uuids": (
        {"status": 200, "message": "OK", "service": "Presence", "uuids": ["test-here-now-asyncio-uuid1"],
         "occupancy": 1},
        ["ch1"],
        (1, 1, ("list", [("ch1", 1, [("test-here-now-asyncio-uuid1", None)])])),
    ),
    "single-state": (
        {"status": 200, "message": "OK", "service": "Presence",
         "uuids": [{"uuid": "u1", "state": {"a": 1}}, {"uuid": "u2"}], "occupancy": 2},
        ["ch1"],
        (1, 2, ("list", [("ch1", 2, [("u1", {"a": 1}), ("u2", None)])])),
    ),
    "single-disable-uuids": (
        {"status": 200, "message": "OK", "service": "Presence", "occupancy": 2},
        ["ch1"],
        (1, 2, ("list", [("ch1", 2, [])])),
    ),
}

# PAM v2 grant/audit ``payload`` shapes (protocol.md §2.18)
PAM_PAYLOADS = {
    "subkey": {"level": "subkey", "subscribe_key": "sub-c-1", "ttl": 1440, "r": 1, "w": 1, "m": 0, "d": 0,
               "g": 0, "u": 0, "j": 0},
    "channel": {"level": "channel", "subscribe_key": "sub-c-1", "ttl": 1440,
                "channels": {"ch1": {"r": 1, "w": 1, "m": 0, "d": 0}, "ch2": {"r": 0, "w": 1, "m": 1, "d": 1}}},
    "channel-group": {"level": "channel-group", "subscribe_key": "sub-c-1", "ttl": 1440,
                      "channel-groups": {"cg1": {"r": 1, "w": 1, "m": 0, "d": 0}}},
    "user-one-channel": {"level": "user", "subscribe_key": "sub-c-1", "ttl": 60, "channel": "test channel",
                         "auths": {"client auth key with spaces": {"r": 1, "w": 1, "m": 0, "d": 0, "g": 0, "u": 0,
                                                                   "j": 0}}},
    "user-many-channels": {"level": "user", "subscribe_key": "sub-c-1", "ttl": 60,
                           "channels": {"ch1": {"auths": {"k": {"r": 1, "w": 1, "m": 0, "d": 0}}},
                                        "ch2": {"auths": {"k": {"r": 1, "w": 0, "m": 0, "d": 0}}}}},
    "group-auth-one": {"level": "channel-group+auth", "subscribe_key": "sub-c-1", "ttl": 60,
                       "channel-groups": "cg", "auths": {"k": {"r": 1, "w": 0, "m": 1, "d": 0}}},
    "group-auth-many": {"level": "channel-group+auth", "subscribe_key": "sub-c-1", "ttl": 60,
                        "channel-groups": {"cg1": {"auths": {"k": {"r": 1, "w": 1, "m": 0, "d": 0}}}}},
    "uuid": {"level": "uuid", "subscribe_key": "SUB_KEY", "ttl": 120,
             "uuids": {"someuuid": {"auths": {"authKey123": {"r": 0, "w": 0, "m": 0, "d": 0, "g": 1, "u": 1,
                                                             "j": 1}}}}},
    "audit-group-auth": {"level": "channel-group+auth", "subscribe_key": "sub-c-1", "channel-group": "cg",
                         "auths": {"k": {"r": 1, "m": 0, "w": 1, "ttl": 1440}}},
}


def load_subscribe_cases(status=None):
    """Cases of ``subscribe_envelopes.json`` (copied from the shared vectors), optionally by HTTP status.

    Synthetic cases have no ``http_status``; they are all 200 responses.
    """
    from tests.conftest import load_vectors

    cases = load_vectors("subscribe_envelopes.json")["cases"]
    if status is None:
        return cases
    return [case for case in cases if case.get("http_status", 200) == status]
