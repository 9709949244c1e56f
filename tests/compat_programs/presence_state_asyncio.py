"""Asyncio presence: who is online with what state, where a user is, join and state-change events."""
import asyncio

from pubnub.pubnub_asyncio import PubNubAsyncio, SubscribeListener

from _settings import channel, config

game = channel("game")
host_id, player_id = channel("host"), channel("player")


async def main():
    host = PubNubAsyncio(config(host_id))
    host_listener = SubscribeListener()
    host.add_listener(host_listener)
    host.subscribe().channels([game]).with_presence().execute()
    await host_listener.wait_for_connect()
    joined = await host_listener.wait_for_presence_on(game)
    print("join:", joined.event, joined.uuid, joined.occupancy)

    player = PubNubAsyncio(config(player_id))
    player_listener = SubscribeListener()
    player.add_listener(player_listener)
    player.subscribe().channels([game]).execute()
    await player_listener.wait_for_connect()
    joined = await host_listener.wait_for_presence_on(game)
    print("join:", joined.event, joined.uuid, joined.occupancy)

    state = await player.set_state().channels([game]).state({"score": 10, "team": "red"}).future()
    print("state set:", state.result.state)
    change = await host_listener.wait_for_presence_on(game)
    print("state-change:", change.event, change.uuid, change.state)

    here = await host.here_now().channels([game]).include_state(True).include_uuids(True).result()
    for occupant in sorted(here.channels[0].occupants, key=lambda o: o.uuid):
        print("here:", occupant.uuid, occupant.state)
    where = await host.where_now().uuid(player_id).result()
    print("the player is in:", [c == game for c in where.channels])
    read = await host.get_state().channels([game]).uuid(player_id).result()
    print("the player's state:", list(read.channels.values()))

    player.unsubscribe().channels([game]).execute()
    host.unsubscribe_all()
    await asyncio.sleep(0.5)
    await player.stop()
    await host.stop()


asyncio.run(main())
