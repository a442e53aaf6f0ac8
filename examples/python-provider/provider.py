#!/usr/bin/env python3
"""spoolcheck's example provider in Python: an in-memory message store that supports sending,
served over gRPC as `spoolcheck.v2.Provider` (harness/proto/spoolcheck/v2/provider.proto).

    python3 examples/python-provider/provider.py --port 50051

The Python stubs are generated from the proto at start-up with grpc_tools.protoc into
.generated/ beside this file (kept per proto version, so a changed proto is picked up).
"""

from __future__ import annotations

import argparse
import faulthandler
import hashlib
import importlib
import os
import shutil
import signal
import sys
import tempfile
import threading
from concurrent import futures
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTO_ROOT = HERE.parent.parent / "harness" / "proto"
PROTO = Path("spoolcheck") / "v2" / "provider.proto"
NAME = "python-provider 2.0 (spoolcheck example)"

sys.path.insert(0, str(HERE))


def generated_stubs():
    """Imports provider_pb2 and provider_pb2_grpc, generating them first if this proto has not
    been compiled yet. Concurrent start-ups each compile into their own temporary directory and
    the first rename wins."""
    from importlib.metadata import version

    from grpc_tools import protoc

    # The generated code depends on the proto and on the generator's and runtime's versions.
    source = (PROTO_ROOT / PROTO).read_bytes()
    tools = f"grpcio-tools {version('grpcio-tools')} protobuf {version('protobuf')}"
    key = hashlib.sha256(source + tools.encode()).hexdigest()[:16]
    cache = HERE / ".generated"
    try:
        cache.mkdir(exist_ok=True)
    except OSError:
        cache = Path(tempfile.gettempdir()) / "spoolcheck-python-provider"
        cache.mkdir(exist_ok=True)
    target = cache / key
    if not (target / PROTO.parent / "provider_pb2_grpc.py").exists():
        work = Path(tempfile.mkdtemp(prefix="tmp-", dir=cache))
        status = protoc.main([
            "grpc_tools.protoc",
            f"-I{PROTO_ROOT}",
            f"--python_out={work}",
            f"--grpc_python_out={work}",
            str(PROTO),
        ])
        if status != 0:
            shutil.rmtree(work, ignore_errors=True)
            raise SystemExit(f"protoc failed on {PROTO_ROOT / PROTO}")
        try:
            os.rename(work, target)
        except OSError:  # another process got there first
            shutil.rmtree(work, ignore_errors=True)
    sys.path.insert(0, str(target))
    package = ".".join(PROTO.parent.parts)  # spoolcheck.v2
    pb = importlib.import_module(f"{package}.provider_pb2")
    pb_grpc = importlib.import_module(f"{package}.provider_pb2_grpc")
    return pb, pb_grpc


def serve(port: int, workers: int) -> int:
    import grpc

    pb, pb_grpc = generated_stubs()
    from store import MessageStore
    from wire import Wire

    wire = Wire(pb)

    class Provider(pb_grpc.ProviderServicer):
        def Describe(self, request, context):
            # The version this server speaks, not an echo of the request's: the harness
            # refuses to run on any other.
            return pb.DescribeReply(name=NAME, contract_version=pb.CONTRACT_VERSION_2)

        def Session(self, request_iterator, context):
            # One store per stream: a run is one stream, and runs on one server do not mix.
            store = MessageStore()
            # Send the stream's headers at once rather than with the first reply, as grpcio
            # otherwise does: clients that wait for the headers before their first request work too.
            context.send_initial_metadata(())
            for request in request_iterator:
                yield wire.handle(store, request)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers))
    pb_grpc.add_ProviderServicer_to_server(Provider(), server)
    if server.add_insecure_port(f"127.0.0.1:{port}") == 0:
        print(f"python-provider: cannot bind 127.0.0.1:{port}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    # `kill -USR1 PID` writes every thread's stack to standard error (the harness's server log).
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    server.start()
    stop.wait()
    server.stop(grace=0).wait()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="listen on 127.0.0.1:PORT")
    parser.add_argument("--workers", type=int, default=64,
                        help="concurrent streams served, each holding one thread: at least "
                             "spoolcheck's --jobs (default 64)")
    args = parser.parse_args()
    return serve(args.port, args.workers)


if __name__ == "__main__":
    sys.exit(main())
