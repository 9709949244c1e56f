"""pubnub_fast: a fast, drop-in re-implementation of PubNub's Python Twisted SDK (V4 API).

Import paths mirror PubNub's SDK with ``pubnub_fast`` in place of ``pubnub``::

    from pubnub_fast.pnconfiguration import PNConfiguration
    from pubnub_fast.pubnub_twisted import PubNubTwisted
"""
import logging
import os

__version__ = "0.1.0"

PUBNUB_ROOT = os.path.dirname(os.path.abspath(__file__))

__all__ = ["__version__", "PUBNUB_ROOT", "set_stream_logger"]


def set_stream_logger(name="pubnub_fast", level=logging.ERROR, format_string=None, stream=None,
                      filter_warning=None):
    """Attach a stream handler to the ``pubnub_fast`` logger (PubNub SDK compatible helper).

    ``filter_warning``: records whose message contains this text are not written.
    """
    if format_string is None:
        format_string = "%(asctime)s %(name)s [%(levelname)s] %(message)s"
    logger = logging.getLogger(name)
    logger.setLevel(level)
    handler = logging.StreamHandler(stream)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(format_string))
    if filter_warning:
        handler.addFilter(lambda record: filter_warning not in record.getMessage())
    logger.addHandler(handler)
    return logger
