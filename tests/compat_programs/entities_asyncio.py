"""Asyncio entities: a channel-group subscription and a user-metadata subscription, each with its
own handler, plus a listener object on the subscription."""
import asyncio

from pubnub.callbacks import SubscribeCallback
from pubnub.pubnub_asyncio import PubNubAsyncio, SubscribeListener

from _settings import channel, config

group_name = channel("ops")
deploys = channel("deploys")


class Collector(SubscribeCallback):
    """A subscription-level listener: PubNub's SDK calls it with the event only."""

    def __init__(self, seen):
        self.seen = seen

    def message(self, message):
        self.seen.append(("listener", message.channel == deploys, message.message))

    def presence(self, presence):
        pass


async def main():
    pubnub = PubNubAsyncio(config("ops-watcher"))
    await pubnub.add_channel_to_channel_group().channels([deploys]).channel_group(group_name).future()

    connection = SubscribeListener()
    pubnub.add_listener(connection)
    seen = []
    ops = pubnub.channel_group(group_name).subscription()
    ops.on_message = lambda message: seen.append(("handler", message.subscription == group_name, message.message))
    ops.add_listener(Collector(seen))
    ops.subscribe()
    await connection.wait_for_connect()
    print("groups:", [g == group_name for g in pubnub.get_subscribed_channel_groups()])

    sender = PubNubAsyncio(config("ops-bot"))
    await sender.publish().channel(deploys).message({"service": "api", "version": 42}).future()
    await connection.wait_for_message_on(deploys)
    await asyncio.sleep(0.2)
    for item in sorted(seen, key=repr):
        print("seen:", *item)

    ops.unsubscribe()
    await pubnub.remove_channel_group().channel_group(group_name).future()
    await sender.stop()
    await pubnub.stop()
    print("done")


asyncio.run(main())
