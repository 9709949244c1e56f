"""A cheap PubNub-shaped HTTP/1.1 server for the client benchmarks, run in its own process.

It answers every request at once from canned bytes, so that the client benchmarks measure the
clients, not a server (its CPU is not in the measured process at all):

* ``/publish/...`` (GET or POST) → ``[1,"Sent","<timetoken>"]``;
* ``/v2/subscribe/<sub>/<channel>/0?tt=0`` → the handshake (an empty message list and a cursor);
  any other ``tt`` → 100 messages on ``<channel>`` with fresh timetokens after ``tt`` (so no
  client drops them as duplicates), the payloads of ``bench/conftest.py``'s subscribe items —
  encrypted (legacy cryptor, random IV, ``CIPHER_KEY``) when the channel name starts with ``enc``;
* anything else (heartbeats, leaves) → ``{"status": 200, "message": "OK", "service": "Presence"}``.

Keep-alive, ``Content-Length`` framing; asyncio's stdlib protocol, no framework. Started by
``bench/conftest.py`` as ``python bench/loopback_server.py``; prints ``port <n>`` and serves until
stdin closes.
"""
import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MESSAGES = 100
_PRESENCE = b'{"status": 200, "message": "OK", "service": "Presence"}'


def _payloads(encrypted):
    from bench.conftest import CIPHER_KEY, make_subscribe_items

    items = make_subscribe_items(MESSAGES)
    payloads = [json.dumps(item["d"], separators=(",", ":")) for item in items]
    if encrypted:
        from pubnub_fast.crypto import LegacyCryptoModule
        from pubnub_fast.pnconfiguration import PNConfiguration

        config = PNConfiguration(subscribe_key="s", uuid="server")
        config.cipher_key = CIPHER_KEY
        config.use_random_initialization_vector = True
        module = LegacyCryptoModule(config)
        payloads = [json.dumps(module.encrypt(payload)) for payload in payloads]
    return [(item["i"], payload) for item, payload in zip(items, payloads)]


class Bodies:
    def __init__(self):
        self._plain = _payloads(False)
        self._encrypted = _payloads(True)
        self.timetoken = 17000000000000000

    def publish(self):
        self.timetoken += 1
        return b'[1,"Sent","%d"]' % self.timetoken

    def subscribe(self, channel, tt):
        if tt in ("0", ""):
            return b'{"t":{"t":"%d","r":1},"m":[]}' % self.timetoken
        payloads = self._encrypted if channel.startswith("enc") else self._plain
        base = max(int(tt), self.timetoken)
        parts = []
        for index, (publisher, payload) in enumerate(payloads, 1):
            parts.append('{"a":"3","f":0,"i":"%s","p":{"t":"%d","r":1},"k":"sub","c":"%s","d":%s,"b":"%s"}'
                         % (publisher, base + index, channel, payload, channel))
        self.timetoken = base + len(payloads)
        return ('{"t":{"t":"%d","r":1},"m":[%s]}' % (self.timetoken, ",".join(parts))).encode()


class Answer(asyncio.Protocol):
    def __init__(self, bodies):
        self.bodies = bodies
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        buffer = self.buffer + data if self.buffer else data
        out = []
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            length = 0
            at = head.lower().find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17:stop if stop > 0 else len(head)])
            if len(buffer) < end + 4 + length:
                break
            buffer = buffer[end + 4 + length:]
            target = head[head.find(b" ") + 1:head.find(b" HTTP/")].decode("latin-1")
            out.append(self.answer(target))
        self.buffer = buffer
        if out:
            self.transport.write(b"".join(out))

    def answer(self, target):
        path, _, query = target.partition("?")
        if path.startswith("/publish/"):
            body = self.bodies.publish()
        elif path.startswith("/v2/subscribe/"):
            channel = path.split("/")[4].split(",")[0]
            tt = ""
            for pair in query.split("&"):
                if pair.startswith("tt="):
                    tt = pair[3:]
            body = self.bodies.subscribe(channel, tt)
        else:
            body = _PRESENCE
        return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


async def main():
    bodies = Bodies()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Answer(bodies), "127.0.0.1", 0)
    print("port %d" % server.sockets[0].getsockname()[1], flush=True)
    stdin_closed = loop.create_future()

    def watch():
        if not sys.stdin.buffer.read1(1) and not stdin_closed.done():
            stdin_closed.set_result(None)

    loop.add_reader(sys.stdin.fileno(), watch)
    await stdin_closed
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
