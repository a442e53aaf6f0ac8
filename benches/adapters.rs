//! Per-operation cost of each adapter, for BENCHMARKS.md: `cargo bench --bench adapters`.
//!
//! One run, one machine, the same operations (generated beforehand from the model) through every
//! adapter: the reference provider in process and over gRPC (served in this process on loopback),
//! the example C provider through the C ABI in process and isolated in a child process, and the
//! example Python provider over gRPC when Python has grpcio. Beside them, a bare gRPC ping-pong of
//! empty messages on the same kind of stream, and a bare unary call: the floor any gRPC adapter
//! stands on. Each figure is the best of three timed passes; a pass resets the store before each
//! case and exchanges (applies and observes) every operation.

use spoolcheck_harness::adapters::cabi::{CabiLibrary, CabiProvider};
use spoolcheck_harness::adapters::grpc::GrpcProvider;
use spoolcheck_harness::adapters::grpc_server::BackgroundServer;
use spoolcheck_harness::adapters::isolate::Launcher;
use spoolcheck_harness::adapters::spawn::{SpawnedServer, READY_TIMEOUT};
use spoolcheck_harness::adapters::wire::pb;
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::runner::rng_for;
use spoolcheck_harness::seam::{exchange, Implementation, SeamError, Support};
use spoolcheck_model::generate::{plan, realize};
use spoolcheck_model::mapi::Hresult;
use spoolcheck_model::{Choices, Folder, Observation, Op, Ret};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

const CASES: u32 = 500;
const MAX_LEN: usize = 40;
const PINGS: usize = 20_000;

fn main() {
    let cases = sequences(CASES);
    let ops: usize = cases.iter().map(Vec::len).sum();
    println!("{CASES} generated cases, {ops} operations (seed 0, default choices)\n");
    println!("| adapter | implementation | µs per operation |");
    println!("|---|---|---|");
    let in_process = per_op(&mut ReferenceStore::new(), &cases);
    row("in process", "reference (Rust)", in_process);

    let server = BackgroundServer::start(Arc::new(|| Box::new(ReferenceStore::new())))
        .expect("the reference serves over gRPC");
    let mut grpc = GrpcProvider::connect(&server.url(), Duration::from_secs(5)).expect("connects");
    let grpc_cost = per_op(&mut grpc, &cases);
    row(
        "gRPC (bidi stream)",
        "reference (Rust), served in this process",
        grpc_cost,
    );

    let (bidi, unary) = bare_grpc();
    row("bare gRPC ping-pong, bidi stream", "empty messages", bidi);
    row("bare gRPC unary call", "empty messages", unary);

    // The adapters alone: a store that does nothing, in process and through the C ABI.
    let null_in_process = per_op(&mut NullStore, &cases);
    row("in process", "null store (does nothing)", null_in_process);
    let null = CabiLibrary::load(&null_c()).expect("the null C store loads");
    let mut null_cabi = CabiProvider::new(null).expect("an instance");
    let null_cabi = per_op(&mut null_cabi, &cases);
    row("C ABI", "null store (does nothing)", null_cabi);

    let library = c_example();
    let loaded = CabiLibrary::load(&library).expect("the C example loads");
    let mut cabi = CabiProvider::new(loaded).expect("an instance");
    let cabi_cost = per_op(&mut cabi, &cases);
    row("C ABI", "example C provider", cabi_cost);

    let launcher = Launcher::new(
        PathBuf::from(env!("CARGO_BIN_EXE_spoolcheck")),
        library,
        std::env::temp_dir().join("spoolcheck-bench-isolated.log"),
        Duration::from_secs(10),
    )
    .expect("a launcher");
    let mut isolated = launcher.start().expect("an isolated child");
    row(
        "C ABI, isolated",
        "example C provider",
        per_op(&mut isolated, &cases),
    );

    if let Some(command) = python() {
        let log = std::env::temp_dir().join("spoolcheck-bench-python.log");
        let python = SpawnedServer::start(&command, &log, READY_TIMEOUT).expect("Python serves");
        let mut p = GrpcProvider::connect(python.url(), Duration::from_secs(5)).expect("connects");
        row(
            "gRPC (bidi stream)",
            "example Python provider",
            per_op(&mut p, &cases),
        );
    } else {
        println!("| gRPC (bidi stream) | example Python provider | (no grpcio) |");
    }
    println!();
    println!(
        "C ABI / in process: {:.2} (the stores), {:.2} (the null stores, the adapter alone: {:.0} ns \
         more per operation); gRPC adapter / bare bidi ping-pong: {:.2}",
        cabi_cost.as_secs_f64() / in_process.as_secs_f64(),
        null_cabi.as_secs_f64() / null_in_process.as_secs_f64(),
        (null_cabi.as_secs_f64() - null_in_process.as_secs_f64()) * 1e9,
        grpc_cost.as_secs_f64() / bidi.as_secs_f64()
    );
}

fn row(adapter: &str, implementation: &str, cost: Duration) {
    println!(
        "| {adapter} | {implementation} | {:.2} |",
        cost.as_secs_f64() * 1e6
    );
}

fn sequences(cases: u32) -> Vec<Vec<Op>> {
    use proptest::strategy::{Strategy, ValueTree};
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        proptest::test_runner::Config::default(),
        rng_for(0),
    );
    let choices = Choices::default();
    (0..cases)
        .map(|_| {
            let tree = plan(MAX_LEN).new_tree(&mut runner).expect("a plan");
            realize(&choices, &tree.current())
        })
        .collect()
}

/// The best of three passes, per operation.
fn per_op(imp: &mut dyn Implementation, cases: &[Vec<Op>]) -> Duration {
    let ops: u32 = cases.iter().map(|c| c.len() as u32).sum();
    let choices = Choices::default();
    (0..3)
        .map(|_| {
            let started = Instant::now();
            for case in cases {
                imp.reset(&choices).expect("reset");
                for op in case {
                    exchange(imp, op).expect("an answer");
                }
            }
            started.elapsed() / ops
        })
        .min()
        .expect("three passes")
}

/// Where the native libraries the benchmark builds go: `bench-native` in the target directory,
/// created if it is not there (as on a fresh checkout).
fn bench_native() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let dir = target.join("bench-native");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("cannot create {}: {e}", dir.display());
    }
    dir
}

fn c_example() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = bench_native();
    let status = Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(root.join("examples/c-provider"))
        .arg(format!("BUILD={}", out.display()))
        .status()
        .expect("make runs");
    assert!(status.success(), "building the C example failed");
    out.join("libspoolcheck_example.so")
}

/// tests/fixtures/faulty-provider.c without a fault: answers S_OK, observes an empty store.
fn null_c() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = bench_native().join("libnull.so");
    let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-std=c11", "-O2", "-fPIC", "-shared"])
        .arg(format!("-I{}", root.join("harness/include").display()))
        .arg("-o")
        .arg(&out)
        .arg(root.join("tests/fixtures/faulty-provider.c"))
        .status()
        .expect("the C compiler runs");
    assert!(status.success(), "building the null C store failed");
    out
}

/// The Rust counterpart of the null C store.
struct NullStore;

impl Implementation for NullStore {
    fn name(&self) -> String {
        "null".into()
    }

    fn reset(&mut self, _: &Choices) -> Result<(), SeamError> {
        Ok(())
    }

    fn apply(&mut self, _: &Op, _: &mut dyn Support) -> Result<Ret, SeamError> {
        Ok(Ret::hr(Hresult::S_OK))
    }

    fn observe(&mut self) -> Result<Observation, SeamError> {
        Ok(Observation {
            folders: Folder::ALL.iter().map(|&f| (f, Vec::new())).collect(),
            ..Observation::default()
        })
    }
}

fn python() -> Option<String> {
    let ok = Command::new("python3")
        .args(["-c", "import grpc, grpc_tools"])
        .output()
        .is_ok_and(|o| o.status.success());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/python-provider/provider.py");
    ok.then(|| format!("python3 {} --port {{port}}", script.display()))
}

/// A server whose every reply is empty, answered at once.
struct Echo;

#[tonic::async_trait]
impl pb::provider_server::Provider for Echo {
    async fn describe(
        &self,
        _: Request<pb::DescribeRequest>,
    ) -> Result<Response<pb::DescribeReply>, Status> {
        Ok(Response::new(pb::DescribeReply::default()))
    }

    type SessionStream = ReceiverStream<Result<pb::Reply, Status>>;

    async fn session(
        &self,
        request: Request<Streaming<pb::Request>>,
    ) -> Result<Response<Self::SessionStream>, Status> {
        let mut inbound = request.into_inner();
        let (replies, outbound) = mpsc::channel(2);
        tokio::spawn(async move {
            while let Ok(Some(_)) = inbound.message().await {
                if replies.send(Ok(pb::Reply::default())).await.is_err() {
                    break;
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(outbound)))
    }
}

/// Bare round trips: (bidi ping-pong, unary call), each the best of three, per round trip. The
/// server runs as the adapter's does (a one-worker runtime on its own thread), the client as the
/// adapter does (a current-thread runtime on the calling thread).
fn bare_grpc() -> (Duration, Duration) {
    let server = BackgroundServer::start_service(Echo).expect("the echo server starts");
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async move {
        let channel = tonic::transport::Endpoint::from_shared(url)
            .expect("a URL")
            .tcp_nodelay(true)
            .connect()
            .await
            .expect("connects");
        let mut client = pb::provider_client::ProviderClient::new(channel);
        let (requests, inbox) = mpsc::channel(2);
        let mut session = client.clone();
        let opening =
            tokio::spawn(async move { session.session(ReceiverStream::new(inbox)).await });
        requests.send(pb::Request::default()).await.expect("sends");
        let mut replies = opening.await.expect("joins").expect("opens").into_inner();
        replies.message().await.expect("a reply");
        let mut bidi = Duration::MAX;
        let mut unary = Duration::MAX;
        for _ in 0..3 {
            let started = Instant::now();
            for _ in 0..PINGS {
                requests.send(pb::Request::default()).await.expect("sends");
                replies
                    .message()
                    .await
                    .expect("a reply")
                    .expect("not closed");
            }
            bidi = bidi.min(started.elapsed() / PINGS as u32);
            let started = Instant::now();
            for _ in 0..PINGS / 4 {
                client
                    .describe(pb::DescribeRequest::default())
                    .await
                    .expect("answers");
            }
            unary = unary.min(started.elapsed() / (PINGS / 4) as u32);
        }
        (bidi, unary)
    })
}
