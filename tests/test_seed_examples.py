"""Every example of the user's document (../shared/seed) runs with the import renamed.

Two adjustments a user would have to make too, because the document's code is not valid as
printed: the configuration example ends a line with ``// required`` (a C-style comment, turned
into ``# required`` here), and it uses ``PNHeartbeatNotificationOptions`` without importing it (the
import is added). ``my_event_loop`` is a reactor the user would provide.
"""
import warnings

import pytest
from twisted.internet import task

from pubnub_fast.enums import PNHeartbeatNotificationOptions, PNReconnectionPolicy
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.pubnub_twisted import PubNubTwisted

CONFIGURATION = '''
from pubnub_fast.pnconfiguration import PNConfiguration
from pubnub_fast.enums import PNHeartbeatNotificationOptions

pn_configuration = PNConfiguration()
# subscribe_key from Admin Portal
pn_configuration.subscribe_key = "my_subscribe_key" # required
# publish_key from Admin Portal (only required if publishing)
pn_configuration.publish_key = "my_publish_key"
# secret_key (only required for modifying/revealing access permissions)
pn_configuration.secret_key = "my_secret_key"
# if cipher_key is passed, all communicatons to/from pubnub will be encrypted
pn_configuration.cipher_key = "my_cipher_key"
# UUID to be used as a device identifier, a default UUID is generated
# if not passed
pn_configuration.uuid = "my_custom_uuid"
# if Access Manager is utilized, client will use this authKey in all restricted
# requests
pn_configuration.auth_key = "my_aut_key"
# use SSL
pn_configuration.ssl = True
# how long to wait before giving up connection to client
pn_configuration.connect_timeout = 100
# how long to keep the subscribe loop running before disconnect
pn_configuration.subscribe_timeout = 310
# on non subscribe operations, how long to wait for server response
pn_configuration.non_subscribe_timeout = 300
# PSV2 feature to subscribe with a custom filter expression
pn_configuration.filter_expression = "such=wow"
# heartbeat notifications, by default, the SDK will alert on failed heartbeats.
# other options such as all heartbeats or no heartbeats are supported.
pn_configuration.heartbeat_notification_options = PNHeartbeatNotificationOptions.All
'''

INIT_SSL = '''
from pubnub_fast.pubnub_twisted import PubNubTwisted
from pubnub_fast.pnconfiguration import PNConfiguration

pnconfig = PNConfiguration()
pnconfig.subscribe_key = "my_subkey"
pnconfig.publish_key = "my_pubkey"
pnconfig.ssl = True
pnconfig.uuid = "my_custom_uuid"
pubnub = PubNubTwisted(pnconfig)
'''

INIT_NO_SSL = INIT_SSL.replace("pnconfig.ssl = True", "pnconfig.ssl = False")

INIT_READ_ONLY = '''
from pubnub_fast.pubnub_twisted import PubNubTwisted
from pubnub_fast.pnconfiguration import PNConfiguration

pnconfig = PNConfiguration()
pnconfig.subscribe_key = "my_subkey"

pubnub = PubNubTwisted(pnconfig)
'''

INIT_CUSTOM_UUID = '''
from pubnub_fast.pubnub_twisted import PubNubTwisted
from pubnub_fast.pnconfiguration import PNConfiguration

pnconfig = PNConfiguration()
pnconfig.subscribe_key = 'mySubscribeKey'
pnconfig.publish_key = 'myPublishKey'
pnconfig.uuid = 'myUniqueUUID'

pubnub = PubNubTwisted(pnconfig)
'''

INIT_SECRET = '''
from pubnub_fast.pubnub_twisted import PubNubTwisted
from pubnub_fast.pnconfiguration import PNConfiguration

pnconfig = PNConfiguration()
pnconfig.subscribe_key = "my_subkey"
pnconfig.publish_key = "my_pubkey"
pnconfig.secret_key = "my_secretkey"
pnconfig.uuid = "my_custom_uuid"
pnconfig.ssl = True

pubnub = PubNubTwisted(pnconfig)
'''

INIT_CUSTOM_IOLOOP = '''
from pubnub_fast.pubnub_twisted import PubNubTwisted
from pubnub_fast.pnconfiguration import PNConfiguration

pnconfig = PNConfiguration()
pnconfig.subscribe_key = "my_subkey"
pnconfig.publish_key = "my_pubkey"

pubnub = PubNubTwisted(pnconfig, custom_ioloop=my_event_loop)
'''

FILTER = '''
from pubnub_fast.pnconfiguration import PNConfiguration

pnconfig = PNConfiguration()
pnconfig.filter_expression = "such=wow"
filter = pnconfig.filter_expression
'''


def run(source, **namespace):
    exec(compile(source, "<seed example>", "exec"), namespace)
    return namespace


def test_configuration_example():
    ns = run(CONFIGURATION)
    config = ns["pn_configuration"]
    assert config.subscribe_key == "my_subscribe_key"
    assert config.ssl is True
    assert config.connect_timeout == 100
    assert config.subscribe_timeout == config.subscribe_request_timeout == 310
    assert config.non_subscribe_timeout == config.non_subscribe_request_timeout == 300
    assert config.filter_expression == "such=wow"
    assert config.heartbeat_notification_options is PNHeartbeatNotificationOptions.ALL


@pytest.mark.parametrize("source, ssl", [(INIT_SSL, True), (INIT_NO_SSL, False), (INIT_SECRET, True)])
def test_initialisation_examples(source, ssl):
    pubnub = run(source)["pubnub"]
    assert isinstance(pubnub, PubNubTwisted)
    assert pubnub.config.ssl is ssl
    assert pubnub.config.scheme() == ("https" if ssl else "http")
    assert pubnub.uuid == "my_custom_uuid"
    pubnub.stop()


def test_read_only_example_generates_a_uuid_with_a_warning():
    with pytest.warns(UserWarning, match="uuid is not set"):
        pubnub = run(INIT_READ_ONLY)["pubnub"]
    assert pubnub.config.publish_key is None
    assert pubnub.uuid
    pubnub.stop()


def test_custom_uuid_example():
    pubnub = run(INIT_CUSTOM_UUID)["pubnub"]
    assert pubnub.uuid == "myUniqueUUID"
    pubnub.stop()


def test_custom_ioloop_example():
    loop = task.Clock()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pubnub = run(INIT_CUSTOM_IOLOOP, my_event_loop=loop)["pubnub"]
    assert pubnub.reactor is loop
    pubnub.stop()


def test_filter_example():
    assert run(FILTER)["filter"] == "such=wow"


def test_seed_table_defaults():
    config = PNConfiguration()
    assert config.publish_key is None and config.secret_key is None and config.cipher_key is None
    assert config.auth_key is None
    assert config.ssl is True  # decisions §3 (revised): True, as PubNub's SDKs; plain HTTP leaks keys
    assert config.connect_timeout == 5
    assert config.subscribe_timeout == 310
    assert config.non_subscribe_request_timeout == 10
    assert config.filter_expression is None
    assert config.heartbeat_notification_options == PNHeartbeatNotificationOptions.FAILURES
    assert config.reconnect_policy == PNReconnectionPolicy.NONE
    assert config.origin == "ps.pndsn.com"
    assert config.suppress_leave_events is False
    assert config.enable_subscribe is True
    assert config.daemon is False
    assert config.disable_token_manager is False
