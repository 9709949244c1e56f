"""Channel groups: put channels in a group, subscribe to the group, hear every channel, clean up."""
from pubnub.pubnub import PubNub, SubscribeListener

from _settings import channel, config

group = channel("sports")
football, tennis = channel("football"), channel("tennis")

# daemon: PubNub's SDK may otherwise keep long-polling after stop() and hang the exit
pubnub = PubNub(config("fan", daemon=True))
added = pubnub.add_channel_to_channel_group().channels([football, tennis]).channel_group(group).sync()
print("added:", added.status.status_code, added.status.is_error())

listed = pubnub.list_channels_in_channel_group().channel_group(group).sync()
print("group has:", sorted(c.split("-")[0] for c in listed.result.channels))

listener = SubscribeListener()
pubnub.add_listener(listener)
pubnub.subscribe().channel_groups([group]).execute()
listener.wait_for_connect()
print("subscribed to groups:", len(pubnub.get_subscribed_channel_groups()))

pubnub.publish().channel(tennis).message({"score": "15-0"}).sync()
message = listener.wait_for_message_on(tennis)
print("via the group:", message.message, message.channel == tennis, message.subscription == group)

pubnub.remove_channel_from_channel_group().channels([tennis]).channel_group(group).sync()
listed = pubnub.list_channels_in_channel_group().channel_group(group).sync()
print("after removing tennis:", [c.split("-")[0] for c in listed.result.channels])

pubnub.unsubscribe().channel_groups([group]).execute()
listener.wait_for_disconnect()
removed = pubnub.remove_channel_group().channel_group(group).sync()
print("group removed:", removed.status.status_code)
print("empty now:", pubnub.list_channels_in_channel_group().channel_group(group).sync().result.channels)
pubnub.stop()
