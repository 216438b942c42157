"""The 0.21 ``Messenger`` and ``Subscription`` classes and the delivery statuses.

Thin wrappers over the ``pn_messenger_*`` functions with 0.21's conventions (API.md 4.3):
times are seconds (``None`` = forever), trackers are ints, statuses are :class:`Constant`
singletons compared with ``is``, negative return codes raise ``Timeout`` / ``Interrupt`` /
``MessengerException`` with the text ``"[<code>]: <messenger error text>"``, and
``PN_INPROGRESS`` (a non-blocking call that has not finished) is not an error.
"""

from . import (Constant, EXCEPTIONS, MessengerException, millis2secs, secs2millis,
               unicode2utf8)
from ._cproton import (
    PN_CUMULATIVE, PN_INPROGRESS, PN_TIMEOUT, PN_STATUS_ABORTED, PN_STATUS_ACCEPTED,
    PN_STATUS_MODIFIED, PN_STATUS_PENDING, PN_STATUS_REJECTED, PN_STATUS_RELEASED,
    PN_STATUS_SETTLED, PN_STATUS_UNKNOWN, pn_error_code, pn_error_text, pn_messenger,
    pn_messenger_accept, pn_messenger_buffered, pn_messenger_deadline, pn_messenger_error,
    pn_messenger_free, pn_messenger_get, pn_messenger_get_certificate,
    pn_messenger_get_incoming_window, pn_messenger_get_outgoing_window,
    pn_messenger_get_password, pn_messenger_get_private_key, pn_messenger_get_timeout,
    pn_messenger_get_trusted_certificates, pn_messenger_incoming,
    pn_messenger_incoming_tracker, pn_messenger_interrupt, pn_messenger_is_blocking,
    pn_messenger_is_passive, pn_messenger_name, pn_messenger_outgoing,
    pn_messenger_outgoing_tracker, pn_messenger_put, pn_messenger_receiving, pn_messenger_recv,
    pn_messenger_reject, pn_messenger_rewrite, pn_messenger_route, pn_messenger_selectable,
    pn_messenger_send, pn_messenger_set_blocking, pn_messenger_set_certificate,
    pn_messenger_set_incoming_window, pn_messenger_set_outgoing_window,
    pn_messenger_set_passive, pn_messenger_set_password, pn_messenger_set_private_key,
    pn_messenger_set_timeout, pn_messenger_set_trusted_certificates, pn_messenger_settle,
    pn_messenger_start, pn_messenger_status, pn_messenger_stop, pn_messenger_stopped,
    pn_messenger_subscribe, pn_messenger_work, pn_subscription_address)
from ._selectable import Selectable

PENDING = Constant("PENDING")
ACCEPTED = Constant("ACCEPTED")
REJECTED = Constant("REJECTED")
RELEASED = Constant("RELEASED")
MODIFIED = Constant("MODIFIED")
ABORTED = Constant("ABORTED")
SETTLED = Constant("SETTLED")

#: pn_status_t -> status constant (UNKNOWN, an untracked tracker, is None).
STATUSES = {
    PN_STATUS_ABORTED: ABORTED,
    PN_STATUS_ACCEPTED: ACCEPTED,
    PN_STATUS_REJECTED: REJECTED,
    PN_STATUS_RELEASED: RELEASED,
    PN_STATUS_MODIFIED: MODIFIED,
    PN_STATUS_PENDING: PENDING,
    PN_STATUS_SETTLED: SETTLED,
    PN_STATUS_UNKNOWN: None,
}

# Credit modes: public in 0.21, used by nothing.
AUTOMATIC = Constant("AUTOMATIC")
MANUAL = Constant("MANUAL")


class Messenger(object):
    """A messaging endpoint with one incoming and one outgoing message queue.

    Addresses look like ``[amqp[s]://][user[:password]@]host[:port][/name]``; a host that
    starts with ``~`` in :meth:`subscribe` means "listen here". Only :meth:`interrupt` may be
    called from another thread; every other method belongs to the messenger's thread.
    """

    def __init__(self, name=None):
        """A messenger named ``name`` (the AMQP container-id); a random UUID when None."""
        self._mng = pn_messenger(name)
        self._selectables = {}  # kept as in 0.21 (nothing uses it)

    def __del__(self):
        """Free the C messenger (no protocol close: call :meth:`stop` first for that)."""
        if hasattr(self, "_mng"):
            try:
                pn_messenger_free(self._mng)
            except Exception:  # interpreter shutdown
                pass
            del self._mng

    def _check(self, err):
        """Raise for a negative code (not PN_INPROGRESS, which gives None); else return it."""
        if err < 0:
            if err == PN_INPROGRESS:
                return None
            cls = EXCEPTIONS.get(err, MessengerException)
            raise cls("[%s]: %s" % (err, pn_error_text(pn_messenger_error(self._mng))))
        return err

    @property
    def name(self):
        """The messenger's name (its container-id)."""
        return pn_messenger_name(self._mng)

    # TLS configuration (paths; used by amqps connections and listeners)

    @property
    def certificate(self):
        """Path of this messenger's certificate, or None."""
        return pn_messenger_get_certificate(self._mng)

    @certificate.setter
    def certificate(self, value):
        self._check(pn_messenger_set_certificate(self._mng, value))

    @property
    def private_key(self):
        """Path of the private key of :attr:`certificate`, or None."""
        return pn_messenger_get_private_key(self._mng)

    @private_key.setter
    def private_key(self, value):
        self._check(pn_messenger_set_private_key(self._mng, value))

    @property
    def password(self):
        """Password of :attr:`private_key`, or None."""
        return pn_messenger_get_password(self._mng)

    @password.setter
    def password(self, value):
        self._check(pn_messenger_set_password(self._mng, value))

    @property
    def trusted_certificates(self):
        """Path of the CA database used to verify peers, or None (peers are not verified)."""
        return pn_messenger_get_trusted_certificates(self._mng)

    @trusted_certificates.setter
    def trusted_certificates(self, value):
        self._check(pn_messenger_set_trusted_certificates(self._mng, value))

    # modes

    @property
    def timeout(self):
        """Timeout of blocking calls in seconds (float); None waits forever (the default)."""
        t = pn_messenger_get_timeout(self._mng)
        return None if t == -1 else millis2secs(t)

    @timeout.setter
    def timeout(self, value):
        t = -1 if value is None else secs2millis(value)
        self._check(pn_messenger_set_timeout(self._mng, t))

    @property
    def blocking(self):
        """Whether send, recv and stop block (work always may). Set with a bool."""
        return pn_messenger_is_blocking(self._mng)

    @blocking.setter
    def blocking(self, value):
        self._check(pn_messenger_set_blocking(self._mng, value))

    @property
    def passive(self):
        """Whether the application drives the I/O (through :meth:`selectable`). Set with a bool."""
        return pn_messenger_is_passive(self._mng)

    @passive.setter
    def passive(self, value):
        self._check(pn_messenger_set_passive(self._mng, value))

    @property
    def incoming_window(self):
        """How many messages taken with :meth:`get` stay tracked (accept/reject/status)."""
        return pn_messenger_get_incoming_window(self._mng)

    @incoming_window.setter
    def incoming_window(self, window):
        self._check(pn_messenger_set_incoming_window(self._mng, window))

    @property
    def outgoing_window(self):
        """How many messages given to :meth:`put` stay tracked (status/settle)."""
        return pn_messenger_get_outgoing_window(self._mng)

    @outgoing_window.setter
    def outgoing_window(self, window):
        self._check(pn_messenger_set_outgoing_window(self._mng, window))

    # lifecycle

    def start(self):
        """Nothing to do unless route checking is on; kept for the lifecycle's symmetry."""
        self._check(pn_messenger_start(self._mng))

    def stop(self):
        """Close every link and connection and stop listening (waits unless non-blocking)."""
        self._check(pn_messenger_stop(self._mng))

    @property
    def stopped(self):
        """True when the messenger has no connection and no listener. Never blocks."""
        return pn_messenger_stopped(self._mng)

    def subscribe(self, source):
        """Receive from ``source`` (``amqp://~host:port`` listens); a :class:`Subscription`."""
        impl = pn_messenger_subscribe(self._mng, source)
        if not impl:
            self._check(pn_error_code(pn_messenger_error(self._mng)))
            raise MessengerException("Cannot subscribe to %s" % source)
        return Subscription(impl)

    # sending

    def put(self, message):
        """Queue a copy of ``message`` for its address (never blocks); its outgoing tracker."""
        message._pre_encode()
        self._check(pn_messenger_put(self._mng, message._msg))
        return pn_messenger_outgoing_tracker(self._mng)

    def send(self, n=-1):
        """Block until at most (outgoing - n) messages are undelivered; n=-1: all of them."""
        self._check(pn_messenger_send(self._mng, n))

    def status(self, tracker):
        """The tracker's delivery status (PENDING, ACCEPTED, ...), None when not tracked."""
        disp = pn_messenger_status(self._mng, tracker)
        return STATUSES.get(disp, disp)

    def buffered(self, tracker):
        """True while the tracked message has not been written to the network yet."""
        return pn_messenger_buffered(self._mng, tracker)

    def settle(self, tracker=None):
        """Stop tracking ``tracker``; without one, every outgoing tracker up to the last put."""
        if tracker is None:
            tracker, flags = pn_messenger_outgoing_tracker(self._mng), PN_CUMULATIVE
        else:
            flags = 0
        self._check(pn_messenger_settle(self._mng, tracker, flags))

    # receiving

    def recv(self, n=None):
        """Ask for up to ``n`` messages (None: as many as fit) and, blocking, wait for one."""
        self._check(pn_messenger_recv(self._mng, -1 if n is None else n))

    def work(self, timeout=None):
        """Do pending I/O, waiting up to ``timeout`` seconds (None: forever).

        True when something was done, False when the time ran out idle.
        """
        err = pn_messenger_work(self._mng, -1 if timeout is None else secs2millis(timeout))
        if err == PN_TIMEOUT:
            return False
        self._check(err)
        return True

    @property
    def receiving(self):
        """Credit granted to senders or still to distribute."""
        return pn_messenger_receiving(self._mng)

    def interrupt(self):
        """Make the current (or next) blocking call raise :class:`Interrupt`. Thread-safe."""
        self._check(pn_messenger_interrupt(self._mng))

    def get(self, message=None):
        """Move the oldest incoming message into ``message`` (None discards it).

        Returns its incoming tracker; raises MessengerException ([-1]) when none is waiting.
        """
        self._check(pn_messenger_get(self._mng, None if message is None else message._msg))
        if message is not None:
            message._post_decode()
        return pn_messenger_incoming_tracker(self._mng)

    def accept(self, tracker=None):
        """Accept the tracker's message; without one, every tracked message got so far."""
        if tracker is None:
            tracker, flags = pn_messenger_incoming_tracker(self._mng), PN_CUMULATIVE
        else:
            flags = 0
        self._check(pn_messenger_accept(self._mng, tracker, flags))

    def reject(self, tracker=None):
        """Reject the tracker's message; without one, every tracked message got so far."""
        if tracker is None:
            tracker, flags = pn_messenger_incoming_tracker(self._mng), PN_CUMULATIVE
        else:
            flags = 0
        self._check(pn_messenger_reject(self._mng, tracker, flags))

    @property
    def outgoing(self):
        """Messages queued or waiting for credit."""
        return pn_messenger_outgoing(self._mng)

    @property
    def incoming(self):
        """Messages received and not yet taken with :meth:`get`."""
        return pn_messenger_incoming(self._mng)

    # addressing

    def route(self, pattern, address):
        """Send what matches ``pattern`` (``%``: no ``/``, ``*``: anything) to ``address``.

        ``$1``, ``$2``... in ``address`` insert what the wildcards matched.
        """
        self._check(pn_messenger_route(self._mng, unicode2utf8(pattern), unicode2utf8(address)))

    def rewrite(self, pattern, address):
        """Rewrite the ``to`` address carried by messages matching ``pattern``.

        Routing still uses the original address. ``address=None`` sends no address. Without
        a matching rule, user and password are stripped from the address.
        """
        self._check(pn_messenger_rewrite(self._mng, unicode2utf8(pattern), unicode2utf8(address)))

    # passive mode

    def selectable(self):
        """The next I/O handle to (re)consider, as a :class:`Selectable`, or None.

        For passive mode: the messenger hands out its interrupt pipe, each listener and each
        connection once, and a selectable again (if the application set its ``registered``
        flag) whenever its interest may have changed. Poll ``fileno()`` per ``reading`` and
        ``writing``, call ``readable()``/``writable()``/``expired()``, and ``release()``
        terminal ones.
        """
        return Selectable.wrap(pn_messenger_selectable(self._mng), self)

    @property
    def deadline(self):
        """When the messenger next wants to rebalance credit (seconds since the epoch), or
        None. A passive messenger's connections carry it as their selectables' deadline."""
        tstamp = pn_messenger_deadline(self._mng)
        return millis2secs(tstamp) if tstamp else None


class Subscription(object):
    """A source the messenger receives from (what :meth:`Messenger.subscribe` returned)."""

    def __init__(self, impl):
        self._impl = impl

    @property
    def address(self):
        """The source's address; may block (messenger timeout) until a peer attaches."""
        return pn_subscription_address(self._impl)
