"""Entities API: per-channel subscriptions with their own handlers, grouped in a subscription set."""
import queue

from pubnub.pubnub import PubNub, SubscribeListener

from _settings import channel, config

news_channel = channel("news")
alerts_channel = channel("alerts")

# daemon: the process may exit while a subscribe request is still being answered
pubnub = PubNub(config("entity-reader", daemon=True))
connection = SubscribeListener()
pubnub.add_listener(connection)

heard = queue.Queue()
news = pubnub.channel(news_channel).subscription()
alerts = pubnub.channel(alerts_channel).subscription(with_presence=True)
news.on_message = lambda message: heard.put(("news handler", message.message))
alerts.on_message = lambda message: heard.put(("alerts handler", message.message))
alerts.on_presence = lambda presence: heard.put(("alerts presence", presence.event, presence.uuid))

everything = pubnub.subscription_set([news, alerts])
everything.on_message = lambda message: heard.put(("set handler", message.message))
everything.subscribe()
connection.wait_for_connect()
print("subscribed:", sorted(pubnub.get_subscribed_channels()))

publisher = PubNub(config("entity-writer"))
publisher.publish().channel(news_channel).message("markets are up").sync()
publisher.publish().channel(alerts_channel).message("storm warning").sync()

events = []
while len(events) < 5:  # two handlers each for two messages, and the reader's own join
    try:
        events.append(heard.get(timeout=10))
    except queue.Empty:
        break
for event in sorted(events):
    print("event:", *event)

everything.unsubscribe()
publisher.stop()
pubnub.stop()
