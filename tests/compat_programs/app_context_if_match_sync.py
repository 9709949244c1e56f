"""User profiles and channel info in App Context, with optimistic concurrency (If-Match etags)."""
from pubnub.exceptions import PubNubException
from pubnub.pubnub import PubNub

from _settings import channel, config

pubnub = PubNub(config("profile-admin"))
user_id = channel("user")
room = channel("room")

pubnub.set_channel_metadata().channel(room).set_name("Design").description("design talk") \
    .custom({"floor": 3}).include_custom(True).sync()
info = pubnub.get_channel_metadata().channel(room).include_custom(True).sync()
print("channel:", info.result.data["name"], info.result.data["description"], info.result.data["custom"])

created = pubnub.set_uuid_metadata().uuid(user_id).set_name("Ada").email("ada@example.com") \
    .custom({"role": "admin"}).include_custom(True).sync()
print("user:", created.result.data["name"], created.result.data["email"], created.result.data["custom"])
etag = created.result.data["eTag"]

fetched = pubnub.get_uuid_metadata().uuid(user_id).include_custom(True).sync()
print("fetched same etag:", fetched.result.data["eTag"] == etag, fetched.status.status_code)

listing = pubnub.get_all_uuid_metadata().include_custom(True).include_total_count(True) \
    .filter("name LIKE 'Ada*'").sync()
print("users named Ada*:", [u["name"] for u in listing.result.data if u["id"] == user_id])

updated = pubnub.set_uuid_metadata().uuid(user_id).set_name("Ada L.").if_matches_etag(etag).sync()
print("updated with the current etag:", updated.result.data["name"], updated.result.data["eTag"] != etag)

try:
    pubnub.set_uuid_metadata().uuid(user_id).set_name("Someone else").if_matches_etag(etag).sync()
    print("stale etag accepted?!")
except PubNubException as error:
    print("stale etag refused:", error.get_status_code())

current = pubnub.get_uuid_metadata().uuid(user_id).sync()
print("name kept:", current.result.data["name"])
pubnub.stop()
