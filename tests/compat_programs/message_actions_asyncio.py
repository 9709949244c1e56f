"""Asyncio: reactions on messages (message actions), unread counts, and deleting history."""
import asyncio

from pubnub.models.consumer.message_actions import PNMessageAction
from pubnub.pubnub_asyncio import PubNubAsyncio

from _settings import channel, config

thread = channel("thread")


async def main():
    pubnub = PubNubAsyncio(config("reactor-user"))
    first = await pubnub.publish().channel(thread).message("first post").result()
    second = await pubnub.publish().channel(thread).message("second post").result()

    action = PNMessageAction()
    action.type = "reaction"
    action.value = "thumbs_up"
    action.message_timetoken = str(first.timetoken)
    added = await pubnub.add_message_action().channel(thread).message_action(action).future()
    print("reaction added:", added.result.type, added.result.value, added.result.uuid,
          added.result.message_timetoken == str(first.timetoken))

    listing = await pubnub.get_message_actions().channel(thread).limit("10").result()
    print("actions:", [(a.type, a.value, a.uuid) for a in listing.actions])

    with_actions = await pubnub.fetch_messages().channels([thread]).include_message_actions(True).result()
    for item in with_actions.channels[thread]:
        print("message:", item.message, "actions:", item.actions)

    counts = await pubnub.message_counts().channel([thread]).channel_timetokens([first.timetoken]).result()
    print("unread since the first post:", counts.channels[thread])

    removed = await pubnub.remove_message_action().channel(thread).message_timetoken(first.timetoken) \
        .action_timetoken(added.result.action_timetoken).future()
    print("reaction removed:", removed.is_error())

    deleted = await pubnub.delete_messages().channel(thread).start(second.timetoken - 1) \
        .end(second.timetoken).future()
    print("deleted:", deleted.status.status_code)
    remaining = await pubnub.history().channel(thread).count(10).result()
    print("history now:", [item.entry for item in remaining.messages])
    await pubnub.stop()


asyncio.run(main())
