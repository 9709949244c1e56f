"""Asyncio chat: one coroutine listens, another publishes; presence, here_now, history, errors."""
import asyncio

from pubnub.exceptions import PubNubException
from pubnub.pubnub_asyncio import PubNubAsyncio, SubscribeListener

from _settings import channel, config

room = channel("async-room")


async def main():
    listener_client = PubNubAsyncio(config("async-listener"))
    speaker = PubNubAsyncio(config("async-speaker"))

    listener = SubscribeListener()
    listener_client.add_listener(listener)
    listener_client.subscribe().channels([room]).with_presence().execute()
    await listener.wait_for_connect()
    join = await listener.wait_for_presence_on(room)
    print("presence:", join.event, join.uuid)

    envelope = await speaker.publish().channel(room).message({"text": "hello from asyncio"}).future()
    print("published:", envelope.is_error(), envelope.status.status_code)
    message = await listener.wait_for_message_on(room)
    print("received:", message.message, message.publisher, message.timetoken == envelope.result.timetoken)

    results = await asyncio.gather(*[speaker.publish().channel(room).message(n).result() for n in range(3)])
    print("three more published:", len(results), len({r.timetoken for r in results}))
    numbers = [(await listener.wait_for_message_on(room)).message for _ in range(3)]
    print("received in some order:", sorted(numbers))

    here = await speaker.here_now().channels([room]).include_uuids(True).result()
    print("here now:", here.total_occupancy, [o.uuid for o in here.channels[0].occupants])

    history = await speaker.fetch_messages().channels([room]).maximum_per_channel(10).future()
    stored = [item.message for item in history.result.channels[room]]
    # the first message was published alone; the next three concurrently, so their order is the server's
    print("history:", stored[:1], sorted(stored[1:]))

    failed = await speaker.publish().channel("").message("nowhere").future()
    print("bad publish is an error:", failed.is_error(), failed.status.category.name)
    try:
        await speaker.publish().channel("").message("nowhere").result()
    except PubNubException as error:
        print("result() raises:", error)

    listener_client.unsubscribe().channels([room]).execute()
    await listener.wait_for_disconnect()
    print("disconnected")
    await speaker.stop()
    await listener_client.stop()


asyncio.run(main())
