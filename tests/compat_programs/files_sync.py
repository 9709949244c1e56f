"""Share a file on a channel: upload it, see the file event, list, download, delete."""
import time

from pubnub.pubnub import PubNub, SubscribeListener
from pubnub.callbacks import SubscribeCallback

from _settings import channel, config

share = channel("share")


class FileEvents(SubscribeCallback):
    def __init__(self):
        self.files = []

    def status(self, pubnub, status):
        pass

    def message(self, pubnub, message):
        pass

    def presence(self, pubnub, presence):
        pass

    def file(self, pubnub, file_message):
        self.files.append(file_message)


# daemon: PubNub's SDK may otherwise keep long-polling after stop() and hang the exit
pubnub = PubNub(config("uploader", daemon=True))
events = FileEvents()
waiter = SubscribeListener()
pubnub.add_listener(events)
pubnub.add_listener(waiter)
pubnub.subscribe().channels([share]).execute()
waiter.wait_for_connect()

content = b"quarterly numbers: 1, 2, 3\n"
sent = pubnub.send_file().channel(share).file_name("report.txt").file_object(content) \
    .message({"note": "here is the report"}).sync()
print("sent:", sent.result.name, bool(sent.result.file_id), type(sent.result.timestamp).__name__)

listed = pubnub.list_files().channel(share).sync()
print("listed:", listed.result.count, [(f["name"], f["size"]) for f in listed.result.data])

url = pubnub.get_file_url().channel(share).file_id(sent.result.file_id).file_name("report.txt").sync()
print("download url mentions the file:", "report.txt" in url.result.file_url)

downloaded = pubnub.download_file().channel(share).file_id(sent.result.file_id).file_name("report.txt").sync()
print("downloaded:", downloaded.result.data == content, len(downloaded.result.data))

deadline = time.monotonic() + 10
while not events.files and time.monotonic() < deadline:
    time.sleep(0.01)
event = events.files[0]
print("file event:", event.file_name, event.message, event.file_id == sent.result.file_id, event.publisher)

deleted = pubnub.delete_file().channel(share).file_id(sent.result.file_id).file_name("report.txt").sync()
print("deleted:", deleted.status.status_code)
print("left:", pubnub.list_files().channel(share).sync().result.count)

pubnub.unsubscribe_all()
pubnub.stop()
