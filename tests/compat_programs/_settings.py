"""Settings every program of this directory reads from its environment (set by the test runner)."""
import os

from pubnub.pnconfiguration import PNConfiguration

ORIGIN = os.environ["PN_ORIGIN"]          # host:port of the local server
RUN = os.environ["PN_RUN"]                # makes channel names unique per run


def config(uuid, subscribe_key="demo", publish_key="demo", **settings):
    """A PNConfiguration of the local server (plain HTTP) for ``uuid``."""
    pnconfig = PNConfiguration()
    pnconfig.subscribe_key = subscribe_key
    pnconfig.publish_key = publish_key
    pnconfig.uuid = uuid
    pnconfig.origin = ORIGIN
    pnconfig.ssl = False
    for name, value in settings.items():
        setattr(pnconfig, name, value)
    return pnconfig


def channel(name):
    return "%s-%s" % (name, RUN)
