//! A gRPC server of `spoolcheck.v2.Provider` for any in-process implementation: the bundled
//! reference provider behind `spoolcheck serve`, and the other end of the gRPC adapter in tests and
//! benchmarks. Each `Session` stream gets a store of its own.

use super::wire::{self, pb};
use crate::seam::{exchange, scripted_answer, Implementation, SeamError};
use pb::provider_server::{Provider, ProviderServer};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream};
use tonic::{Request, Response, Status, Streaming};

/// Makes one store per session.
pub type Maker = dyn Fn() -> Box<dyn Implementation> + Send + Sync;

struct Service {
    make: Arc<Maker>,
    name: String,
}

#[tonic::async_trait]
impl Provider for Service {
    async fn describe(
        &self,
        _request: Request<pb::DescribeRequest>,
    ) -> Result<Response<pb::DescribeReply>, Status> {
        Ok(Response::new(pb::DescribeReply {
            name: self.name.clone(),
            contract_version: pb::ContractVersion::ContractVersion2 as i32,
        }))
    }

    type SessionStream = ReceiverStream<Result<pb::Reply, Status>>;

    async fn session(
        &self,
        request: Request<Streaming<pb::Request>>,
    ) -> Result<Response<Self::SessionStream>, Status> {
        let mut inbound = request.into_inner();
        let (replies, outbound) = mpsc::channel(2);
        let mut imp = (self.make)();
        tokio::spawn(async move {
            while let Ok(Some(request)) = inbound.message().await {
                // The stores are in-memory and answer in microseconds: serve inline.
                let reply = handle(imp.as_mut(), request);
                if replies.send(Ok(reply)).await.is_err() {
                    break;
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(outbound)))
    }
}

/// One request against one store.
pub fn handle(imp: &mut dyn Implementation, request: pb::Request) -> pb::Reply {
    use pb::reply::Kind;
    let kind = match request.kind {
        Some(pb::request::Kind::Reset(choices)) => match wire::decode_choices(&choices, "reset") {
            Ok(choices) => imp.reset(&choices).map(|()| Kind::Reset(pb::ResetDone {})),
            Err(e) => Err(SeamError::Unsupported(e.to_string())),
        },
        Some(pb::request::Kind::Apply(op)) => match wire::decode_op(&op, "apply") {
            Ok(op) => exchange(imp, &op).map(|r| {
                Kind::Applied(pb::Applied {
                    ret: Some(wire::encode_ret(&r.ret)),
                    calls: r
                        .calls
                        .iter()
                        .map(|c| {
                            let a = scripted_answer(&op, c);
                            wire::encode_call(c, a.hr.0, a.flags)
                        })
                        .collect(),
                    notifications: r
                        .notifications
                        .iter()
                        .map(wire::encode_notification)
                        .collect(),
                    observation: Some(wire::encode_observation(&r.observation)),
                })
            }),
            Err(e) => Err(SeamError::Unsupported(e.to_string())),
        },
        Some(pb::request::Kind::Observe(_)) => imp
            .observe()
            .map(|o| Kind::Observation(wire::encode_observation(&o))),
        None => Err(SeamError::Unsupported("an empty request".into())),
    };
    let kind = kind.unwrap_or_else(|e| {
        let (kind, detail) = match e {
            SeamError::Unsupported(why) => (pb::failure::Kind::Unsupported, why),
            other => (pb::failure::Kind::Error, other.to_string()),
        };
        Kind::Failure(pb::Failure {
            kind: kind as i32,
            detail,
        })
    });
    pb::Reply { kind: Some(kind) }
}

/// Serves stores made by `make` on `listener` until `shutdown` resolves. Blocks; runs its own
/// runtime.
pub fn serve(
    listener: TcpListener,
    make: Arc<Maker>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let name = make().name();
    serve_service(listener, Service { make, name }, shutdown)
}

/// Serves any implementation of the service (a test's faulty one, a benchmark's echo) the way
/// [`serve`] serves stores: a one-worker runtime, no Nagle delay.
pub fn serve_service<P: Provider>(
    listener: TcpListener,
    service: P,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the gRPC server: {e}"))?;
    runtime.block_on(async move {
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("cannot use the listening socket: {e}"))?;
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| format!("cannot use the listening socket: {e}"))?;
        tonic::transport::Server::builder()
            .tcp_nodelay(true)
            .serve_with_incoming_shutdown(
                ProviderServer::new(service),
                TcpListenerStream::new(listener),
                shutdown,
            )
            .await
            .map_err(|e| format!("the gRPC server stopped: {e}"))
    })
}

/// A server on a thread of its own, on a free loopback port; stops when dropped.
pub struct BackgroundServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

impl BackgroundServer {
    /// Starts serving stores made by `make`.
    pub fn start(make: Arc<Maker>) -> Result<BackgroundServer, String> {
        let name = make().name();
        BackgroundServer::start_service(Service { make, name })
    }

    /// Starts serving any implementation of the service.
    pub fn start_service<P: Provider>(service: P) -> Result<BackgroundServer, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| format!("cannot listen on a loopback port: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("spoolcheck-grpc-server".into())
            .spawn(move || {
                serve_service(listener, service, async {
                    let _ = stopped.await;
                })
            })
            .map_err(|e| format!("cannot start the server thread: {e}"))?;
        Ok(BackgroundServer {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The server's address, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Not joined: a graceful shutdown waits for open sessions, and an abandoned one (after a
        // timeout) may never close. The thread ends with the process.
        drop(self.thread.take());
    }
}
