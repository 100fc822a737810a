"""A minimal client for cuplane's operator API: bce-auth-v1 signing with the standard library
(hmac, hashlib) and one HTTP POST per call. The official Qianfan SDKs sign the same way; this
exists so the pytest plugin needs nothing beyond the standard library and pytest."""

import datetime
import hashlib
import hmac
import http.client
import json
import urllib.parse

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def uri_encode(value, keep_slash=False):
    """UriEncode of bce-auth-v1: unreserved bytes as is, every other byte as %XX."""
    out = []
    for byte in str(value).encode("utf-8"):
        if byte in _UNRESERVED or (keep_slash and byte == ord("/")):
            out.append(chr(byte))
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


def sign(access_key, secret_key, method, path, query, headers, timestamp, expiration=1800):
    """The Authorization header for a request; `headers` are the ones signed ({name: value})."""
    auth_prefix = "bce-auth-v1/%s/%s/%d" % (access_key, timestamp, expiration)
    signing_key = hmac.new(secret_key.encode(), auth_prefix.encode(), hashlib.sha256).hexdigest()
    canonical_query = "&".join(
        sorted("%s=%s" % (uri_encode(k), uri_encode(v)) for k, v in query
               if k.lower() != "authorization"))
    canonical_headers = "\n".join(
        sorted("%s:%s" % (uri_encode(k.strip().lower()), uri_encode(str(v).strip()))
               for k, v in headers.items()))
    canonical_request = "\n".join(
        [method.upper(), uri_encode(urllib.parse.unquote(path), keep_slash=True),
         canonical_query, canonical_headers])
    signature = hmac.new(signing_key.encode(), canonical_request.encode(),
                         hashlib.sha256).hexdigest()
    signed = ";".join(k.strip().lower() for k in headers)
    return "%s/%s/%s" % (auth_prefix, signed, signature)


class ApiError(Exception):
    """A refusal from cuplane: `code` is the error code (InvalidParameter, ...)."""

    def __init__(self, status, code, message):
        super().__init__("%s %s: %s" % (status, code, message))
        self.status, self.code, self.message = status, code, message


class Client:
    """Signed calls to one cuplane server (host, port) with one key."""

    def __init__(self, host, port, access_key, secret_key, timeout=30):
        self.host, self.port = host, port
        self.access_key, self.secret_key = access_key, secret_key
        self.timeout = timeout

    def call(self, path, action, body=None):
        """POST path?Action=action with a JSON body; returns `result`, raises ApiError."""
        payload = json.dumps(body or {}).encode()
        timestamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        signed = {"host": "%s:%d" % (self.host, self.port), "content-type": "application/json",
                  "x-bce-date": timestamp}
        query = [("Action", action)]
        headers = dict(signed)
        headers["Authorization"] = sign(self.access_key, self.secret_key, "POST", path, query,
                                        signed, timestamp)
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request("POST", "%s?Action=%s" % (path, uri_encode(action)), payload,
                               headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        try:
            answer = json.loads(text)
        except ValueError:
            answer = {}
        if response.status != 200:
            raise ApiError(response.status, answer.get("code", ""), answer.get("message", text))
        return answer.get("result")

    def operator(self, action, **body):
        """An operator action (POST /v1/operator?Action=...)."""
        return self.call("/v1/operator", action, body)
