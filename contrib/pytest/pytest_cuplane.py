"""pytest plugin: one cuplane server per test session, a clean state before every test.

Enable it in your conftest.py (with this folder on sys.path or PYTHONPATH):

    pytest_plugins = ["pytest_cuplane"]

and name the bootstrap file your tests start from, in pytest.ini / pyproject / setup.cfg
(`cuplane_bootstrap = tests/bootstrap.json`), with --cuplane-bootstrap, or with the
CUPLANE_BOOTSTRAP environment variable. The file needs an operator key (the plugin resets and
advances the clock with it) and at least one tenant access key: the first tenant key of the
first account is exported as QIANFAN_ACCESS_KEY / QIANFAN_SECRET_KEY, with
QIANFAN_CONSOLE_API_BASE_URL pointing at the server, which is what the Qianfan SDKs read.

The binary is `cuplane` on PATH, or --cuplane-binary / CUPLANE_BINARY. The server runs as

    cuplane serve --clock virtual --store memory --listen 127.0.0.1:0 --provision-delay 0
                  --bootstrap FILE [cuplane_args...]

Fixtures: `cuplane` (the running server) and `cuplane_server` (the same, session-scoped, for
other session fixtures). The server starts with the first test that asks for it; from then on
every test of the session, whether it asks for a fixture or not, starts with a Reset: the
bootstrap's state, the virtual clock back at its start.
"""

import datetime
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time

import pytest

from cuplane_client import ApiError, Client

__all__ = ["ApiError", "CuplaneServer"]

_LISTENING = re.compile(r"cuplane listening on http://([^\s:]+|\[[^\]]+\]):(\d+)")
_EXPORTED = ("QIANFAN_ACCESS_KEY", "QIANFAN_SECRET_KEY", "QIANFAN_CONSOLE_API_BASE_URL")


def _parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


class CuplaneServer:
    """A running `cuplane serve`, and the calls a test makes to steer it."""

    def __init__(self, binary, bootstrap, extra_args=(), start_timeout=20):
        with open(bootstrap, encoding="utf-8") as f:
            spec = json.load(f)
        try:
            op = spec["operators"][0]
            self.operator_key = (op["accessKey"], op["secretKey"])
        except (KeyError, IndexError, TypeError):
            raise pytest.UsageError("cuplane: %s has no operators[0] key" % bootstrap)
        self.tenant_key = None
        for account in spec.get("accounts", []):
            for user in account.get("users", []):
                for key in user.get("accessKeys", []):
                    self.tenant_key = self.tenant_key or (key["accessKey"], key["secretKey"])
        args = [binary, "serve", "--clock", "virtual", "--store", "memory",
                "--listen", "127.0.0.1:0", "--provision-delay", "0",
                "--bootstrap", str(bootstrap)] + list(extra_args)
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, bufsize=1)
        self.output = []
        self._started = threading.Event()
        self.host, self.port = None, None
        threading.Thread(target=self._read_output, daemon=True).start()
        if not self._started.wait(start_timeout) or self.port is None:
            self.stop()
            raise RuntimeError("cuplane did not start: %s\n%s" % (shlex.join(args),
                                                                   "".join(self.output)))
        self.base_url = "http://%s:%d" % (self.host, self.port)
        self.operator = Client(self.host, self.port, *self.operator_key)
        self.tenant = Client(self.host, self.port, *self.tenant_key) if self.tenant_key else None

    def _read_output(self):
        for line in self.process.stdout:
            self.output.append(line)
            match = _LISTENING.search(line)
            if match and not self._started.is_set():
                self.host, self.port = match.group(1).strip("[]"), int(match.group(2))
                self._started.set()
        self._started.set()  # exited: the waiter sees no port

    @property
    def environment(self):
        """The variables a Qianfan SDK reads to reach this server with the tenant key."""
        env = {"QIANFAN_CONSOLE_API_BASE_URL": self.base_url}
        if self.tenant_key:
            env["QIANFAN_ACCESS_KEY"], env["QIANFAN_SECRET_KEY"] = self.tenant_key
        return env

    def client(self, access_key, secret_key):
        """A signed client with any key (a tenant key of the bootstrap, or one made in a test)."""
        return Client(self.host, self.port, access_key, secret_key)

    # --- the operator calls a test makes ---------------------------------------------------
    def reset(self):
        """Back to the bootstrap file's state, the virtual clock included."""
        self.operator.operator("Reset")

    def now(self):
        """The server's (virtual) time, as an aware datetime."""
        return _parse_time(self.operator.operator("DescribeClock")["now"])

    def advance(self, seconds):
        """Moves the virtual clock; everything due by then has run when this returns."""
        return _parse_time(self.operator.operator("AdvanceClock", seconds=int(seconds))["now"])

    def inject_fault(self, operation, count=1, region=None, type=None):
        """The next `count` `operation`s (provision, reconfigure, deploy, deactivate), in one
        pool if region and type are given, fail."""
        body = {"operation": operation, "count": count}
        if region is not None:
            body["region"] = region
        if type is not None:
            body["type"] = type
        self.operator.operator("InjectFault", **body)

    def save_snapshot(self, name):
        self.operator.operator("SaveSnapshot", name=name)

    def restore_snapshot(self, name):
        self.operator.operator("RestoreSnapshot", name=name)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def pytest_addoption(parser):
    group = parser.getgroup("cuplane")
    group.addoption("--cuplane-binary", help="the cuplane binary (default: cuplane on PATH)")
    group.addoption("--cuplane-bootstrap", help="the bootstrap file the tests start from")
    parser.addini("cuplane_bootstrap", "the bootstrap file the tests start from (relative to "
                  "the ini file)")
    parser.addini("cuplane_args", "extra `cuplane serve` flags", type="args")


def _setting(config, option, ini, variable):
    value = config.getoption(option) or os.environ.get(variable)
    if value:
        return value
    value = config.getini(ini) if ini else None
    if value and config.inipath is not None:
        return str(config.inipath.parent / value)
    return value or None


_SERVER_KEY = pytest.StashKey()


@pytest.fixture(scope="session")
def cuplane_server(request):
    """The session's cuplane server, with the SDK variables exported while it runs."""
    config = request.config
    binary = _setting(config, "--cuplane-binary", None, "CUPLANE_BINARY") or shutil.which(
        "cuplane")
    if not binary:
        raise pytest.UsageError("cuplane: no binary (put cuplane on PATH, or set "
                                "--cuplane-binary or CUPLANE_BINARY)")
    bootstrap = _setting(config, "--cuplane-bootstrap", "cuplane_bootstrap", "CUPLANE_BOOTSTRAP")
    if not bootstrap:
        raise pytest.UsageError("cuplane: name a bootstrap file (cuplane_bootstrap in the ini "
                                "file, --cuplane-bootstrap, or CUPLANE_BOOTSTRAP)")
    started = time.monotonic()
    server = CuplaneServer(binary, bootstrap, config.getini("cuplane_args"))
    server.startup_seconds = time.monotonic() - started
    saved = {name: os.environ.get(name) for name in _EXPORTED}
    os.environ.update(server.environment)
    config.stash[_SERVER_KEY] = server
    yield server
    del config.stash[_SERVER_KEY]
    server.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def _cuplane_clean_state(request):
    """Every test starts from the bootstrap's state, once the session's server is up."""
    server = request.config.stash.get(_SERVER_KEY, None)
    if server is not None:
        server.reset()


@pytest.fixture
def cuplane(cuplane_server):
    """The session's server, in the bootstrap's state: reset by _cuplane_clean_state, or
    just started by this test."""
    return cuplane_server
