"""PubNub SDK v10 call style: endpoint arguments passed to the factory (positional and keyword)
instead of chained setters."""
from pubnub.exceptions import PubNubException
from pubnub.pubnub import PubNub

from _settings import channel, config

room = channel("v10")
group = channel("v10-group")
profile = channel("v10-user")

pubnub = PubNub(config("v10-user"))

sent = pubnub.publish(room, {"text": "positional"}, meta={"kind": "demo"}).sync()
print("positional publish:", sent.status.status_code)
sent = pubnub.publish(channel=room, message="keywords", should_store=True).sync()
print("keyword publish:", sent.status.status_code)
print("signal:", pubnub.signal(room, "tick").sync().status.status_code)

history = pubnub.fetch_messages(room, include_meta=True).sync()
print("fetched:", [(m.message, m.meta) for m in history.result.channels[room]])

counts = pubnub.message_counts(room, [sent.result.timetoken]).sync()
print("counts:", counts.result.channels)

pubnub.add_channel_to_channel_group([room], group).sync()
print("group:", [c == room for c in pubnub.list_channels_in_channel_group(group).sync().result.channels])

pubnub.set_state(room, state={"typing": False}).sync()
print("state:", pubnub.get_state(room, uuid="v10-user").sync().result.channels)

pubnub.set_uuid_metadata(profile, name="Grace", email="grace@example.com").sync()
print("profile:", pubnub.get_uuid_metadata(profile).sync().result.data["name"])
pubnub.remove_uuid_metadata(profile).sync()
try:
    pubnub.get_uuid_metadata(profile).sync()
except PubNubException as error:
    print("profile removed:", error.get_status_code())

here = pubnub.here_now(room, include_uuids=True).sync()
print("here now:", here.result.total_occupancy)
pubnub.remove_channel_group().channel_group(group).sync()
pubnub.stop()
