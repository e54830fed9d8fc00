"""dynamo-emu in-process: a DynamoDB-compatible emulator inside the Python
process, for tests. A thin ctypes layer over libdynamo-emu's C interface
(include/dynamo/dynamo_emu.h); all behaviour is in the library.

    import boto3, dynamo_emu

    with dynamo_emu.start() as endpoint:          # "http://127.0.0.1:<port>"
        ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                           aws_access_key_id="test", aws_secret_access_key="test")
        ddb.list_tables()

A pytest fixture:

    @pytest.fixture(scope="session")
    def dynamodb_endpoint():
        with dynamo_emu.start() as endpoint:
            yield endpoint

The library is found at $DYNAMO_EMU_LIB, next to this package, in this
repository's build/ (bash scripts/build.sh), or where the system linker
finds libdynamo-emu (after `cmake --install`).
"""

import ctypes
import ctypes.util
import json
import os
from pathlib import Path

__all__ = ["ABI_VERSION", "DynamoEmuError", "Endpoint", "library_path", "start", "version"]

# The C ABI this module was written against (DYNAMO_EMU_ABI_VERSION).
ABI_VERSION = 1


class DynamoEmuError(RuntimeError):
    """The library could not be loaded or the emulator could not start."""


def library_path():
    """The libdynamo-emu this module loads."""
    env = os.environ.get("DYNAMO_EMU_LIB")
    if env:
        return env
    here = Path(__file__).resolve().parent
    for candidate in (here / "libdynamo-emu.so",
                      here.parents[2] / "build" / "server" / "libdynamo-emu.so"):
        if candidate.exists():
            return str(candidate)
    found = ctypes.util.find_library("dynamo-emu")
    if found:
        return found
    raise DynamoEmuError(
        "libdynamo-emu not found: build it (bash scripts/build.sh) or set DYNAMO_EMU_LIB")


_lib = None


def _library():
    global _lib
    if _lib is not None:
        return _lib
    lib = ctypes.CDLL(library_path())
    signatures = {
        "dynamo_emu_abi_version": (ctypes.c_int, []),
        "dynamo_emu_version": (ctypes.c_char_p, []),
        "dynamo_emu_start": (ctypes.c_void_p, [ctypes.c_char_p]),
        "dynamo_emu_port": (ctypes.c_int, [ctypes.c_void_p]),
        "dynamo_emu_endpoint": (ctypes.c_char_p, [ctypes.c_void_p]),
        "dynamo_emu_dispatch": (ctypes.c_int, [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
            ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p),
            ctypes.POINTER(ctypes.c_size_t)]),
        "dynamo_emu_control": (ctypes.c_int, [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
            ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)]),
        "dynamo_emu_free": (None, [ctypes.c_void_p]),
        "dynamo_emu_stop": (None, [ctypes.c_void_p]),
        "dynamo_emu_last_error": (ctypes.c_char_p, []),
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    if lib.dynamo_emu_abi_version() != ABI_VERSION:
        raise DynamoEmuError(f"{library_path()} has C ABI version "
                             f"{lib.dynamo_emu_abi_version()}, this module needs {ABI_VERSION}")
    _lib = lib
    return lib


def version():
    """The emulator library's version."""
    return _library().dynamo_emu_version().decode()


def _answer(lib, status, out, length):
    try:
        body = ctypes.string_at(out.value, length.value).decode() if out.value else ""
    finally:
        lib.dynamo_emu_free(out)
    if status < 0:
        raise DynamoEmuError(lib.dynamo_emu_last_error().decode())
    return status, json.loads(body) if body else None


class Endpoint(str):
    """A running emulator: the endpoint URL (a str, for endpoint_url=) with
    .port, .dispatch(), .control() and .stop(). A context manager."""

    def __new__(cls, handle, lib):
        url = lib.dynamo_emu_endpoint(handle).decode()
        self = super().__new__(cls, url)
        self._handle = handle
        self._lib = lib
        self.port = lib.dynamo_emu_port(handle)
        return self

    def dispatch(self, operation, body=None, access_key=None, region=None):
        """Runs one DynamoDB operation in-process, as over HTTP, in the
        namespace of access_key and region (default "local", "us-east-1").
        Returns (HTTP status, response body as a dict)."""
        self._check()
        data = json.dumps(body if body is not None else {}).encode()
        out, length = ctypes.c_void_p(), ctypes.c_size_t()
        status = self._lib.dynamo_emu_dispatch(
            self._handle, operation.encode(), data, len(data),
            access_key.encode() if access_key else None, region.encode() if region else None,
            ctypes.byref(out), ctypes.byref(length))
        return _answer(self._lib, status, out, length)

    def control(self, method, path, body=None):
        """A control API request (/_emu/...): (HTTP status, body as a dict)."""
        self._check()
        data = json.dumps(body).encode() if body is not None else b""
        out, length = ctypes.c_void_p(), ctypes.c_size_t()
        status = self._lib.dynamo_emu_control(self._handle, method.encode(), path.encode(), data,
                                              len(data), ctypes.byref(out), ctypes.byref(length))
        return _answer(self._lib, status, out, length)

    def stop(self):
        """Stops the emulator (requests in flight finish); idempotent."""
        if self._handle:
            handle, self._handle = self._handle, None
            self._lib.dynamo_emu_stop(handle)

    def _check(self):
        if not self._handle:
            raise DynamoEmuError("the emulator is stopped")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def __del__(self):
        try:
            self.stop()
        except Exception:  # interpreter shutdown
            pass

    def __reduce__(self):
        raise TypeError("a running emulator cannot be pickled")


def start(**options):
    """Starts an emulator in this process: in memory, on a free port of
    127.0.0.1, unless options say otherwise (the C interface's: port, host,
    in_memory, db_path, listen, shared_db, transaction_hold_ms, threads,
    faults, ...). Returns its Endpoint; raises DynamoEmuError."""
    lib = _library()
    handle = lib.dynamo_emu_start(json.dumps(options).encode())
    if not handle:
        raise DynamoEmuError(lib.dynamo_emu_last_error().decode())
    return Endpoint(handle, lib)
