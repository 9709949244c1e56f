"""Asyncio App Context: users, channels, memberships and members with custom data and paging."""
import asyncio

from pubnub.models.consumer.objects_v2.channel_members import PNUUID
from pubnub.models.consumer.objects_v2.memberships import PNChannelMembership
from pubnub.pubnub_asyncio import PubNubAsyncio

from _settings import channel, config

general, random_talk = channel("general"), channel("random")
ann, bo = channel("ann"), channel("bo")


async def main():
    pubnub = PubNubAsyncio(config("org-admin"))
    for user, name in ((ann, "Ann"), (bo, "Bo")):
        await pubnub.set_uuid_metadata().uuid(user).set_name(name).future()
    for room, name in ((general, "General"), (random_talk, "Random")):
        await pubnub.set_channel_metadata().channel(room).set_name(name).future()

    joined = await pubnub.set_memberships().uuid(ann) \
        .channel_memberships([PNChannelMembership.channel(general), PNChannelMembership.channel_with_custom(random_talk, {"muted": True})]) \
        .include_custom(True).include_channel(1).future()
    print("ann's memberships:", [(m["channel"]["name"], m.get("custom")) for m in joined.result.data])

    members = await pubnub.set_channel_members().channel(general) \
        .uuids([PNUUID.uuid(bo), PNUUID.uuid_with_custom(ann, {"role": "owner"})]) \
        .include_custom(True).include_uuid(1).future()
    print("general's members:", sorted((m["uuid"]["name"], str(m.get("custom"))) for m in members.result.data))

    page = await pubnub.get_channel_members().channel(general).limit(1).include_total_count(True).future()
    print("first page:", len(page.result.data), "of", page.result.total_count, "next page:", page.result.next is not None)
    rest = await pubnub.get_channel_members().channel(general).limit(1).page(page.result.next).future()
    print("second page:", len(rest.result.data))

    left = await pubnub.remove_memberships().uuid(ann).channel_memberships([PNChannelMembership.channel(random_talk)]).future()
    print("after leaving random:", [m["channel"]["id"] == general for m in left.result.data])

    for user in (ann, bo):
        await pubnub.remove_uuid_metadata().uuid(user).future()
    for room in (general, random_talk):
        await pubnub.remove_channel_metadata().channel(room).future()
    print("cleaned up")
    await pubnub.stop()


asyncio.run(main())
