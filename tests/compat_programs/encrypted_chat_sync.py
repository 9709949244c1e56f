"""End-to-end encrypted chat: both sides share a cipher key; the listener gets plaintext, the
wire and the history carry ciphertext; a client with another key cannot read it."""
from pubnub.callbacks import SubscribeCallback
from pubnub.enums import PNStatusCategory
from pubnub.pubnub import PubNub, SubscribeListener

from _settings import channel, config

room = channel("secret-room")
KEY = "shared-secret-2024"


class Printer(SubscribeCallback):
    def status(self, pubnub, status):
        if status.category == PNStatusCategory.PNConnectedCategory:
            print("status: connected")

    def message(self, pubnub, message):
        print("decrypted on arrival:", message.message, "from", message.publisher)

    def presence(self, pubnub, presence):
        pass


# daemon: PubNub's SDK may otherwise keep long-polling after stop() and hang the exit
reader_config = config("reader", daemon=True)
reader_config.cipher_key = KEY
reader = PubNub(reader_config)
waiter = SubscribeListener()
reader.add_listener(Printer())
reader.add_listener(waiter)
reader.subscribe().channels([room]).execute()
waiter.wait_for_connect()

writer_config = config("writer")
writer_config.cipher_key = KEY
writer = PubNub(writer_config)
for text in ("meet at noon", "bring the plans"):
    writer.publish().channel(room).message({"text": text}).sync()
    waiter.wait_for_message_on(room)

history = writer.history().channel(room).count(5).sync()
print("history (decrypted with the key):", [item.entry for item in history.result.messages])

plain = PubNub(config("outsider"))
raw = plain.history().channel(room).count(5).sync()
print("history without the key is text:", all(isinstance(item.entry, str) for item in raw.result.messages),
      all("noon" not in item.entry for item in raw.result.messages))

reader.unsubscribe_all()
for client in (reader, writer, plain):
    client.stop()
