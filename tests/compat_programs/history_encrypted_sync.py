"""Encrypted diary: messages are encrypted with a cipher key, read back through history and
fetch_messages; a reader without the key sees only ciphertext."""
from pubnub.exceptions import PubNubException
from pubnub.pubnub import PubNub

from _settings import channel, config

diary = channel("diary")

writer_config = config("diarist")
writer_config.cipher_key = "my-secret-cipher-key"
writer = PubNub(writer_config)

entries = [{"day": 1, "note": "started"}, {"day": 2, "note": "still going"}, "a plain string", 42]
timetokens = []
for entry in entries:
    envelope = writer.publish().channel(diary).message(entry).meta({"mood": "ok"}).sync()
    timetokens.append(envelope.result.timetoken)
print("published", len(timetokens), "entries; increasing:", timetokens == sorted(timetokens))

history = writer.history().channel(diary).count(10).include_timetoken(True).sync()
for item in history.result.messages:
    print("history:", item.entry, item.timetoken in timetokens)

fetched = writer.fetch_messages().channels([diary]).maximum_per_channel(10).include_meta(True).sync()
for item in fetched.result.channels[diary]:
    # fetch_messages hands back what is stored: the ciphertext (PubNub's SDK 10.8 does not decrypt here)
    print("fetch:", type(item.message).__name__, item.message not in entries, item.meta, int(item.timetoken) in timetokens)

reversed_page = writer.history().channel(diary).count(2).reverse(True).sync()
print("oldest two:", [item.entry for item in reversed_page.result.messages])

reader = PubNub(config("stranger"))
raw = reader.fetch_messages().channels([diary]).maximum_per_channel(1).sync()
ciphertext = raw.result.channels[diary][0].message
print("without the key:", type(ciphertext).__name__, ciphertext not in entries)

try:
    writer.history().channel("").count(5).sync()
except PubNubException as error:
    print("bad request refused:", error)

writer.stop()
reader.stop()
