"""The 0.21 ``proton`` SSL names: ``SSL`` (``present()`` and its constants), ``SSLDomain``,
``SSLSessionDetails``.

A Messenger configures TLS itself (its ``certificate``, ``private_key``, ``password`` and
``trusted_certificates``); these classes are for code that checks ``SSL.present()`` or builds
domains. ``SSL(transport, ...)`` needs an engine ``Transport``, which this package does not
provide, so it raises ``NotImplementedError``.
"""

from ._cproton import (PN_SSL_ANONYMOUS_PEER, PN_SSL_MODE_CLIENT, PN_SSL_MODE_SERVER,
                       PN_SSL_RESUME_NEW, PN_SSL_RESUME_REUSED, PN_SSL_RESUME_UNKNOWN,
                       PN_SSL_VERIFY_PEER, PN_SSL_VERIFY_PEER_NAME,
                       pn_ssl_domain, pn_ssl_domain_allow_unsecured_client, pn_ssl_domain_free,
                       pn_ssl_domain_set_credentials, pn_ssl_domain_set_peer_authentication,
                       pn_ssl_domain_set_trusted_ca_db, pn_ssl_present)


def _exceptions():
    # Imported late: proton/__init__.py defines them before importing this module.
    from . import EXCEPTIONS, SSLException, SSLUnavailable
    return EXCEPTIONS, SSLException, SSLUnavailable


class SSLDomain(object):
    """A TLS configuration for client or server connections (``pn_ssl_domain_t``)."""

    MODE_CLIENT = PN_SSL_MODE_CLIENT
    MODE_SERVER = PN_SSL_MODE_SERVER
    VERIFY_PEER = PN_SSL_VERIFY_PEER
    VERIFY_PEER_NAME = PN_SSL_VERIFY_PEER_NAME
    ANONYMOUS_PEER = PN_SSL_ANONYMOUS_PEER

    def __init__(self, mode):
        self._domain = pn_ssl_domain(mode)
        if self._domain is None:
            raise _exceptions()[2]()

    def _check(self, err):
        if err < 0:
            exceptions, ssl_exception, _ = _exceptions()
            raise exceptions.get(err, ssl_exception)("SSL failure.")
        return err

    def set_credentials(self, cert_file, key_file, password):
        return self._check(pn_ssl_domain_set_credentials(self._domain, cert_file, key_file,
                                                         password))

    def set_trusted_ca_db(self, certificate_db):
        return self._check(pn_ssl_domain_set_trusted_ca_db(self._domain, certificate_db))

    def set_peer_authentication(self, verify_mode, trusted_CAs=None):
        return self._check(pn_ssl_domain_set_peer_authentication(self._domain, verify_mode,
                                                                 trusted_CAs))

    def allow_unsecured_client(self):
        return self._check(pn_ssl_domain_allow_unsecured_client(self._domain))

    def __del__(self):
        domain = getattr(self, "_domain", None)
        if domain is not None:
            pn_ssl_domain_free(domain)
            self._domain = None


class SSLSessionDetails(object):
    """An identifier for resuming a TLS session."""

    def __init__(self, session_id):
        self._session_id = session_id

    def get_session_id(self):
        return self._session_id


class SSL(object):
    """TLS of an engine transport; only :meth:`present` and the constants are usable here."""

    RESUME_UNKNOWN = PN_SSL_RESUME_UNKNOWN
    RESUME_NEW = PN_SSL_RESUME_NEW
    RESUME_REUSED = PN_SSL_RESUME_REUSED

    @staticmethod
    def present():
        """Whether the library supports TLS."""
        return pn_ssl_present()

    def __new__(cls, transport, domain=None, session_details=None):
        raise NotImplementedError("proton.SSL needs an engine Transport, which this package "
                                  "does not provide (a Messenger sets up TLS itself)")
