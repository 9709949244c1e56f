"""Access Manager v3: a server grants a token, a client uses it, denied requests raise, revoke."""
from pubnub.exceptions import PubNubException
from pubnub.models.consumer.v3.channel import Channel
from pubnub.models.consumer.v3.group import Group
from pubnub.models.consumer.v3.uuid import UUID
from pubnub.pubnub import PubNub

from _settings import channel, config

open_room = channel("open")
secret_room = channel("secret")

server = PubNub(config("auth-server", subscribe_key="pam", publish_key="pampub", secret_key="pamsecret"))
granted = server.grant_token() \
    .channels([Channel.id(open_room).read().write(), Channel.pattern("^ro-.*$").read()]) \
    .groups([Group.id("team").read()]) \
    .uuids([UUID.id("device-7").get().update()]) \
    .ttl(15) \
    .authorized_uuid("device-7") \
    .meta({"plan": "basic"}) \
    .sync()
token = granted.result.token
print("token granted:", isinstance(token, str) and len(token) > 20)

parsed = server.parse_token(token)
print("ttl:", parsed["ttl"], "authorized:", parsed["authorized_uuid"], "meta:", parsed["meta"])
print("channel rights:", {name: sorted(k for k, v in rights.items() if v)
                          for name, rights in parsed["resources"]["channels"].items() if name == open_room})
print("patterns:", sorted(parsed["patterns"]["channels"]))

device = PubNub(config("device-7", subscribe_key="pam", publish_key="pampub"))
try:
    device.publish().channel(open_room).message("before the token").sync()
except PubNubException as error:
    print("without a token:", error.get_status_code())

device.set_token(token)
sent = device.publish().channel(open_room).message("with the token").sync()
print("with the token:", sent.status.status_code, sent.status.is_error())

try:
    device.publish().channel(secret_room).message("sneaky").sync()
except PubNubException as error:
    print("other channel:", error.get_status_code())

revoked = server.revoke_token(token).sync()
print("revoked:", revoked.status.status_code)

server.stop()
device.stop()
