"""Typing helpers shared by the public modules (Python 3.9+).

``Self`` is ``typing.Self`` for type checkers (through ``typing_extensions``, which mypy always
has); builder setters are annotated ``-> "Self"`` so that ``pubnub.publish().channel("c")``
keeps the concrete builder type. At run time annotations are never evaluated, so the name only
has to exist.
"""
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self
else:
    Self = Any

__all__ = ["Self"]
