"""App Context (Objects v2) models (``pubnub.models.consumer.objects_v2``).

Results per area (``uuid``, ``channel``, ``channel_members``, ``memberships``), the payload
helpers passed to the member/membership setters (``PNUUID.uuid(..)``,
``PNChannelMembership.channel(..)``, ``PNUserMember``), paging (``page``), sorting (``sort``)
and include selectors (``common``).
"""
