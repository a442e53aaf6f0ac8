//! The gRPC adapter: the harness is a client of `spoolcheck.v2.Provider`.
//!
//! One operation is one message each way on the `Session` stream: the request carries the
//! operation with MAPI's scripted answers; the reply carries the result, the support calls with the
//! answers used, the notifications and the observation. A bidirectional stream, not a unary call
//! per operation, because it saves the per-call HTTP/2 stream set-up (about half the round trip on
//! loopback; BENCHMARKS.md).

use super::remote::{deliver, ReportedCall};
use super::wire::{self, pb};
use crate::seam::{Implementation, SeamError, Support};
use pb::provider_client::ProviderClient;
use spoolcheck_model::{Choices, Observation, Op, Ret};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::sync::mpsc;
use tonic::transport::{Channel, Endpoint};

/// The reply stream, opened when the first request is on its way: some servers (grpcio among them)
/// send the stream's headers only with their first reply, so waiting for the headers before sending
/// anything would wait forever.
enum Replies {
    Opening(Opening),
    Open(Box<tonic::Streaming<pb::Reply>>),
}

/// An implementation served over gRPC.
pub struct GrpcProvider {
    runtime: Runtime,
    requests: mpsc::Sender<pb::Request>,
    replies: Replies,
    name: String,
    /// How long opening the session and each exchange before it may take.
    connect_timeout: Duration,
    /// The observation that came with the last reply; `observe` hands it out.
    observation: Option<Observation>,
}

impl GrpcProvider {
    /// Connects to the server at `url` (e.g. `http://127.0.0.1:50051`), checks its contract
    /// version and opens a session: a store of its own.
    pub fn connect(url: &str, connect_timeout: Duration) -> Result<GrpcProvider, SeamError> {
        GrpcProvider::try_connect(url, connect_timeout).map_err(|(e, _)| e)
    }

    /// Like [`GrpcProvider::connect`]; the flag says whether nothing answered at the address
    /// (worth retrying while a server starts), as opposed to a server that answered wrongly.
    pub fn try_connect(
        url: &str,
        connect_timeout: Duration,
    ) -> Result<GrpcProvider, (SeamError, bool)> {
        let fatal = |e: SeamError| (e, false);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                fatal(SeamError::Harness(format!(
                    "cannot start the gRPC client: {e}"
                )))
            })?;
        let endpoint = Endpoint::from_shared(url.to_string())
            .map_err(|e| {
                fatal(SeamError::Harness(format!(
                    "`{url}` is not a gRPC address: {e}"
                )))
            })?
            .connect_timeout(connect_timeout)
            .tcp_nodelay(true);
        let opened = runtime
            .block_on(async { tokio::time::timeout(connect_timeout, open(endpoint, url)).await });
        let (name, requests, replies) = opened.map_err(|_| {
            (
                SeamError::Harness(format!(
                    "{url} did not answer Describe within {} s",
                    connect_timeout.as_secs_f32()
                )),
                true,
            )
        })??;
        Ok(GrpcProvider {
            runtime,
            requests,
            replies: Replies::Opening(replies),
            name,
            connect_timeout,
            observation: None,
        })
    }

    /// Sends one request and waits for its reply.
    fn round_trip(
        &mut self,
        kind: pb::request::Kind,
        what: &str,
    ) -> Result<pb::reply::Kind, SeamError> {
        let request = pb::Request { kind: Some(kind) };
        let replies = &mut self.replies;
        let requests = &self.requests;
        let connect_timeout = self.connect_timeout;
        self.runtime.block_on(async {
            requests
                .send(request)
                .await
                .map_err(|_| SeamError::Crashed(format!("{what}: the session stream is closed")))?;
            if let Replies::Opening(opening) = replies {
                let stream = tokio::time::timeout(connect_timeout, opening)
                    .await
                    .map_err(|_| {
                        SeamError::Crashed(format!(
                            "{what}: the server did not open the session within {} s",
                            connect_timeout.as_secs_f32()
                        ))
                    })?
                    .map_err(|s| {
                        SeamError::Crashed(format!(
                            "{what}: Session failed: {}: {}",
                            s.code(),
                            s.message()
                        ))
                    })?;
                *replies = Replies::Open(Box::new(stream));
            }
            let Replies::Open(replies) = replies else {
                unreachable!("the session was opened just above")
            };
            match replies.message().await {
                Ok(Some(pb::Reply { kind: Some(kind) })) => match kind {
                    pb::reply::Kind::Failure(f) => Err(failure(&f, what)),
                    other => Ok(other),
                },
                Ok(Some(pb::Reply { kind: None })) => Err(SeamError::Malformed(format!(
                    "{what}: the reply is empty (no `kind`)"
                ))),
                Ok(None) => Err(SeamError::Crashed(format!(
                    "{what}: the server ended the session without replying"
                ))),
                Err(status) => Err(SeamError::Crashed(format!(
                    "{what}: the session broke: {}: {}",
                    status.code(),
                    status.message()
                ))),
            }
        })
    }
}

type Opening =
    Pin<Box<dyn Future<Output = Result<tonic::Streaming<pb::Reply>, tonic::Status>> + Send>>;

async fn open(
    endpoint: Endpoint,
    url: &str,
) -> Result<(String, mpsc::Sender<pb::Request>, Opening), (SeamError, bool)> {
    let channel: Channel = endpoint.connect().await.map_err(|e| {
        (
            SeamError::Harness(format!("cannot connect to {url}: {}", chain(&e))),
            true,
        )
    })?;
    let mut client = ProviderClient::new(channel);
    let described = client
        .describe(pb::DescribeRequest {
            contract_version: pb::ContractVersion::ContractVersion2 as i32,
        })
        .await
        .map_err(|s| {
            let text = if s.code() == tonic::Code::Unimplemented {
                // The service's name carries the contract's version: a version 1 server serves
                // spoolcheck.v1.Provider, which has no spoolcheck.v2 methods.
                format!(
                    "{url} does not serve spoolcheck.v2.Provider ({}); a server built against \
                     version 1 of the contract serves spoolcheck.v1: regenerate its stubs from \
                     harness/proto/spoolcheck/v2/provider.proto",
                    s.message()
                )
            } else {
                format!("{url}: Describe failed: {}: {}", s.code(), s.message())
            };
            (
                SeamError::Harness(text),
                s.code() == tonic::Code::Unavailable,
            )
        })?
        .into_inner();
    if described.contract_version != pb::ContractVersion::ContractVersion2 as i32 {
        return Err((
            SeamError::Harness(format!(
                "{url} speaks contract version {}, this harness speaks version 2 \
                 (harness/proto/spoolcheck/v2/provider.proto)",
                described.contract_version
            )),
            false,
        ));
    }
    // A small buffer: the harness sends one request at a time.
    let (requests, inbox) = mpsc::channel(2);
    let mut session_client = client.clone();
    let replies: Opening = Box::pin(async move {
        session_client
            .session(tokio_stream::wrappers::ReceiverStream::new(inbox))
            .await
            .map(tonic::Response::into_inner)
    });
    let name = if described.name.is_empty() {
        url.to_string()
    } else {
        described.name
    };
    Ok((name, requests, replies))
}

/// An error with its causes: "transport error: Connection refused (os error 111)".
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

fn failure(f: &pb::Failure, what: &str) -> SeamError {
    match pb::failure::Kind::try_from(f.kind) {
        Ok(pb::failure::Kind::Unsupported) => SeamError::Unsupported(f.detail.clone()),
        _ => SeamError::Crashed(format!("{what}: the implementation failed: {}", f.detail)),
    }
}

fn unexpected(what: &str, want: &str, got: &pb::reply::Kind) -> SeamError {
    let got = match got {
        pb::reply::Kind::Reset(_) => "reset",
        pb::reply::Kind::Applied(_) => "applied",
        pb::reply::Kind::Observation(_) => "observation",
        pb::reply::Kind::Failure(_) => "failure",
    };
    SeamError::Malformed(format!("{what}: expected a `{want}` reply, got `{got}`"))
}

fn malformed(e: wire::WireError) -> SeamError {
    SeamError::Malformed(e.to_string())
}

impl Implementation for GrpcProvider {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn reset(&mut self, choices: &Choices) -> Result<(), SeamError> {
        self.observation = None;
        let reply = self.round_trip(
            pb::request::Kind::Reset(wire::encode_choices(choices)),
            "Reset",
        )?;
        match reply {
            pb::reply::Kind::Reset(_) => Ok(()),
            other => Err(unexpected("Reset", "reset", &other)),
        }
    }

    fn apply(&mut self, op: &Op, support: &mut dyn Support) -> Result<Ret, SeamError> {
        self.observation = None;
        let what = op.call_name();
        let reply = self.round_trip(pb::request::Kind::Apply(wire::encode_op(op)), what)?;
        let applied = match reply {
            pb::reply::Kind::Applied(a) => a,
            other => return Err(unexpected(what, "applied", &other)),
        };
        let ret = wire::decode_ret(
            applied
                .ret
                .as_ref()
                .ok_or_else(|| SeamError::Malformed(format!("{what}: applied.ret: missing")))?,
            "applied.ret",
        )
        .map_err(malformed)?;
        let calls = applied
            .calls
            .iter()
            .enumerate()
            .map(|(i, c)| {
                wire::decode_call(c, &format!("applied.calls[{i}]")).map(|(call, hr, flags)| {
                    ReportedCall {
                        call,
                        answer_hr: hr.0,
                        answer_flags: flags,
                    }
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(malformed)?;
        let notifications = applied
            .notifications
            .iter()
            .enumerate()
            .map(|(i, n)| wire::decode_notification(n, &format!("applied.notifications[{i}]")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(malformed)?;
        let observation = wire::decode_observation(
            applied.observation.as_ref().ok_or_else(|| {
                SeamError::Malformed(format!("{what}: applied.observation: missing"))
            })?,
            "applied.observation",
        )
        .map_err(malformed)?;
        deliver(support, calls, notifications)?;
        self.observation = Some(observation);
        Ok(ret)
    }

    fn observe(&mut self) -> Result<Observation, SeamError> {
        if let Some(o) = self.observation.take() {
            return Ok(o);
        }
        match self.round_trip(pb::request::Kind::Observe(pb::Observe {}), "Observe")? {
            pb::reply::Kind::Observation(o) => {
                wire::decode_observation(&o, "observation").map_err(malformed)
            }
            other => Err(unexpected("Observe", "observation", &other)),
        }
    }
}
