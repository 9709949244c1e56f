"""Chat room, threaded style: subscribe with presence, see who joins, exchange messages, leave."""
from pubnub.enums import PNStatusCategory
from pubnub.pubnub import PubNub, SubscribeListener

from _settings import channel, config

room = channel("lobby")
alice_id, bob_id = channel("alice"), channel("bob")  # unique per run: where_now() looks across channels

# daemon: PubNub's SDK may otherwise keep long-polling after stop() and hang the exit
alice = PubNub(config(alice_id, daemon=True))
listener = SubscribeListener()
alice.add_listener(listener)
alice.subscribe().channels([room]).with_presence().execute()
listener.wait_for_connect()
print("alice connected to", alice.get_subscribed_channels())

join = listener.wait_for_presence_on(room)
print("presence:", join.event, join.uuid, join.occupancy)

bob = PubNub(config(bob_id, daemon=True))
bob_listener = SubscribeListener()
bob.add_listener(bob_listener)
bob.subscribe().channels([room]).execute()
bob_listener.wait_for_connect()
join = listener.wait_for_presence_on(room)
print("presence:", join.event, join.uuid, join.occupancy)

envelope = bob.publish().channel(room).message({"text": "hi alice", "from": "bob"}).meta({"lang": "en"}).sync()
print("bob published:", envelope.status.category == PNStatusCategory.PNAcknowledgmentCategory,
      envelope.status.is_error(), type(envelope.result.timetoken).__name__)

message = listener.wait_for_message_on(room)
print("alice got:", message.message, "from", message.publisher, "on", message.channel == room,
      "tt match", message.timetoken == envelope.result.timetoken)

here = alice.here_now().channels([room]).include_uuids(True).sync()
print("here now:", here.result.total_occupancy, sorted(o.uuid for o in here.result.channels[0].occupants))

where = alice.where_now().uuid(bob_id).sync()
print("bob is in:", [c == room for c in where.result.channels])

bob.unsubscribe().channels([room]).execute()
leave = listener.wait_for_presence_on(room)
print("presence:", leave.event, leave.uuid, leave.occupancy)

alice.unsubscribe_all()
listener.wait_for_disconnect()
print("alice disconnected; subscribed to", alice.get_subscribed_channels())
bob.stop()
alice.stop()
