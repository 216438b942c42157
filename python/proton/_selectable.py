"""The 0.21 ``Selectable`` class: an I/O handle of a passive messenger (API.md 4.3).

A messenger in passive mode does no I/O of its own; :meth:`Messenger.selectable` hands out
its handles one by one (the interrupt pipe, each listener and connection), and the
application polls :meth:`Selectable.fileno` for what :attr:`reading`/:attr:`writing` ask,
then calls :meth:`readable`/:meth:`writable` (or :meth:`expired` once :attr:`deadline`
passed). A terminal selectable must leave the loop and be :meth:`release`-d. Selectables
have ``fileno()``, so ``select.select`` takes them directly; two wrappers of the same C
selectable are equal (and hash alike).
"""

from . import millis2secs, secs2millis
from ._cproton import (
    PN_INVALID_SOCKET, pn_selectable_expired, pn_selectable_get_deadline, pn_selectable_get_fd,
    pn_selectable_is_reading, pn_selectable_is_registered, pn_selectable_is_terminal,
    pn_selectable_is_writing, pn_selectable_readable, pn_selectable_release,
    pn_selectable_set_deadline, pn_selectable_set_fd, pn_selectable_set_reading,
    pn_selectable_set_registered, pn_selectable_set_writing, pn_selectable_terminate,
    pn_selectable_writable)

_DEFAULT = object()


class Selectable(object):
    """A ``pn_selectable_t``. Made by :meth:`wrap` (``None`` for NULL)."""

    @staticmethod
    def wrap(impl, owner=None):
        """The wrapper of ``impl``, or None for NULL. ``owner`` (the messenger) is kept alive
        with it: the C selectable lives as long as its messenger."""
        if impl is None:
            return None
        return Selectable(impl, owner)

    def __init__(self, impl, owner=None):
        self._impl = impl
        self._owner = owner

    def _ptr(self):
        if self._impl is None:
            raise ValueError("selectable already released")
        return self._impl

    def __eq__(self, other):
        return isinstance(other, Selectable) and self._impl == other._impl

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._impl)

    def __repr__(self):
        if self._impl is None:
            return "<Selectable released>"
        return "<Selectable fd=%s reading=%s writing=%s terminal=%s>" % (
            self.fileno(), self.reading, self.writing, self.is_terminal)

    def fileno(self, fd=_DEFAULT):
        """The fd to poll (no argument); with one, replace it (None: no fd)."""
        if fd is _DEFAULT:
            return pn_selectable_get_fd(self._ptr())
        pn_selectable_set_fd(self._ptr(), PN_INVALID_SOCKET if fd is None else fd)

    @property
    def reading(self):
        """Whether to poll the fd for reading."""
        return pn_selectable_is_reading(self._ptr())

    @reading.setter
    def reading(self, value):
        pn_selectable_set_reading(self._ptr(), bool(value))

    @property
    def writing(self):
        """Whether to poll the fd for writing."""
        return pn_selectable_is_writing(self._ptr())

    @writing.setter
    def writing(self, value):
        pn_selectable_set_writing(self._ptr(), bool(value))

    @property
    def deadline(self):
        """When to call :meth:`expired` (seconds since the epoch), or None."""
        tstamp = pn_selectable_get_deadline(self._ptr())
        return millis2secs(tstamp) if tstamp else None

    @deadline.setter
    def deadline(self, deadline):
        pn_selectable_set_deadline(self._ptr(), 0 if deadline is None else secs2millis(deadline))

    @property
    def registered(self):
        """The application's flag: a registered selectable is handed out again by
        :meth:`Messenger.selectable` whenever its state may have changed."""
        return pn_selectable_is_registered(self._ptr())

    @registered.setter
    def registered(self, value):
        pn_selectable_set_registered(self._ptr(), bool(value))

    @property
    def is_terminal(self):
        """True once finished: stop polling it and :meth:`release` it."""
        return pn_selectable_is_terminal(self._ptr())

    def readable(self):
        """The fd is readable: the messenger reads (accepts, notes an interrupt)."""
        pn_selectable_readable(self._ptr())

    def writable(self):
        """The fd is writable: the messenger writes what it has."""
        pn_selectable_writable(self._ptr())

    def expired(self):
        """The deadline passed: the messenger runs its timers."""
        pn_selectable_expired(self._ptr())

    def terminate(self):
        """Mark it terminal."""
        pn_selectable_terminate(self._ptr())

    def release(self):
        """Give a terminal selectable back (its socket closes); the wrapper is unusable after."""
        pn_selectable_release(self._ptr())
        self._impl = None
