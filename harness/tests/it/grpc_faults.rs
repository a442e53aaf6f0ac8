//! gRPC servers that break the contract: they hang, reply with the wrong kind of message, send a
//! value no enum has, contradict MAPI's scripted answers, decline a call, or speak another
//! version. Each becomes a report naming what went wrong (a timeout, a malformed answer, an
//! unsupported call, a harness error), never a harness panic or hang.

use spoolcheck_harness::adapters::grpc::GrpcProvider;
use spoolcheck_harness::adapters::grpc_server::{handle, BackgroundServer};
use spoolcheck_harness::adapters::wire::pb;
use spoolcheck_harness::driver::Factory;
use spoolcheck_harness::failure::FailureKind;
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::report::{self, RunVerdict};
use spoolcheck_harness::runner::{run, RunConfig, RunReport};
use spoolcheck_harness::seam::SeamError;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

#[derive(Clone, Copy, Debug)]
enum Fault {
    /// Stops replying after this many replies, keeping the stream open.
    Hang(usize),
    /// Replies `reset` to the first operation.
    WrongKind,
    /// Puts folder 42 into every observation.
    BadEnum,
    /// Says PrepareSubmit answered MAPI_E_CALL_FAILED whatever the script said.
    Contradict,
    /// Declines NotifyNewMail.
    DeclineNewMail,
    /// Describes itself as contract version 1.
    Version1,
}

struct Faulty(Fault);

#[tonic::async_trait]
impl pb::provider_server::Provider for Faulty {
    async fn describe(
        &self,
        _: Request<pb::DescribeRequest>,
    ) -> Result<Response<pb::DescribeReply>, Status> {
        let version = match self.0 {
            Fault::Version1 => pb::ContractVersion::ContractVersion1 as i32,
            _ => pb::ContractVersion::ContractVersion2 as i32,
        };
        Ok(Response::new(pb::DescribeReply {
            name: format!("faulty {:?}", self.0),
            contract_version: version,
        }))
    }

    type SessionStream = ReceiverStream<Result<pb::Reply, Status>>;

    async fn session(
        &self,
        request: Request<Streaming<pb::Request>>,
    ) -> Result<Response<Self::SessionStream>, Status> {
        let fault = self.0;
        let mut inbound = request.into_inner();
        let (replies, outbound) = mpsc::channel(2);
        tokio::spawn(async move {
            let mut store = ReferenceStore::new();
            let mut sent = 0;
            while let Ok(Some(request)) = inbound.message().await {
                let is_apply = matches!(request.kind, Some(pb::request::Kind::Apply(_)));
                let is_new_mail = matches!(
                    &request.kind,
                    Some(pb::request::Kind::Apply(pb::Op {
                        kind: Some(pb::op::Kind::NotifyNewMail(_))
                    }))
                );
                let mut reply = handle(&mut store, request);
                match (fault, &mut reply.kind) {
                    (Fault::Hang(n), _) if sent >= n => {
                        // Hold the stream (and `replies`) open without answering.
                        std::future::pending::<()>().await;
                    }
                    (Fault::WrongKind, _) if is_apply => {
                        reply.kind = Some(pb::reply::Kind::Reset(pb::ResetDone {}));
                    }
                    (Fault::BadEnum, Some(pb::reply::Kind::Applied(a))) => {
                        if let Some(o) = a.observation.as_mut() {
                            o.folders.push(pb::FolderContents {
                                folder: 42,
                                msgs: vec![1],
                            });
                        }
                    }
                    (Fault::Contradict, Some(pb::reply::Kind::Applied(a))) => {
                        for call in &mut a.calls {
                            if matches!(call.kind, Some(pb::support_call::Kind::PrepareSubmit(_))) {
                                call.answer_hr = 0x8000_4005;
                            }
                        }
                    }
                    (Fault::DeclineNewMail, _) if is_new_mail => {
                        reply.kind = Some(pb::reply::Kind::Failure(pb::Failure {
                            kind: pb::failure::Kind::Unsupported as i32,
                            detail: "no new-mail notifications here".into(),
                        }));
                    }
                    _ => {}
                }
                sent += 1;
                if replies.send(Ok(reply)).await.is_err() {
                    break;
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(outbound)))
    }
}

fn against(fault: Fault, timeout_ms: u64) -> RunReport {
    let server = BackgroundServer::start_service(Faulty(fault)).expect("the faulty server starts");
    let url = server.url();
    let factory: Arc<Factory> =
        Arc::new(move || Ok(Box::new(GrpcProvider::connect(&url, Duration::from_secs(5))?) as _));
    let config = RunConfig {
        cases: 64,
        timeout: Duration::from_millis(timeout_ms),
        ..RunConfig::default()
    };
    let report = run(factory, &config);
    drop(server);
    report
}

#[test]
fn a_hanging_server_times_out_with_the_trace() {
    let report = against(Fault::Hang(5), 300);
    let text = report::render(&report, false, &[]);
    let failure = report.failures.first().unwrap_or_else(|| panic!("{text}"));
    assert!(
        matches!(
            failure.kind,
            FailureKind::Indeterminate(SeamError::Timeout { millis: 300 })
        ),
        "{text}"
    );
    assert_eq!(RunVerdict::of(&report, false), RunVerdict::NotConformant);
    // The trace holds the operations up to the one that hung.
    assert_eq!(failure.ops.len(), failure.step + 1, "{text}");
}

fn malformed(fault: Fault) -> String {
    let report = against(fault, 5_000);
    let text = report::render(&report, false, &[]);
    match report.failures.first().map(|f| &f.kind) {
        Some(FailureKind::Malformed(why)) => why.clone(),
        _ => panic!("{fault:?}: expected a malformed answer:\n{text}"),
    }
}

#[test]
fn a_reply_of_the_wrong_kind_is_malformed() {
    let why = malformed(Fault::WrongKind);
    assert!(
        why.contains("expected a `applied` reply, got `reset`"),
        "{why}"
    );
}

#[test]
fn a_value_outside_an_enum_is_malformed_and_named_by_its_field() {
    let why = malformed(Fault::BadEnum);
    assert!(why.contains("applied.observation.folders["), "{why}");
    assert!(why.contains("].folder: 42 is not a valid Folder"), "{why}");
}

#[test]
fn a_support_answer_that_contradicts_mapi_is_malformed() {
    let why = malformed(Fault::Contradict);
    assert!(why.contains("(PrepareSubmit)"), "{why}");
    assert!(why.contains("MAPI_E_CALL_FAILED"), "{why}");
}

#[test]
fn a_declined_call_is_unsupported_and_the_run_is_not_conformant() {
    let report = against(Fault::DeclineNewMail, 5_000);
    let text = report::render(&report, false, &[]);
    assert!(report.failures.is_empty(), "{text}");
    assert_eq!(
        report.unsupported.values().collect::<Vec<_>>(),
        ["no new-mail notifications here"],
        "{text}"
    );
    assert_eq!(RunVerdict::of(&report, false), RunVerdict::NotConformant);
}

#[test]
fn another_contract_version_is_a_harness_error() {
    let report = against(Fault::Version1, 5_000);
    match &report.harness_error {
        Some(SeamError::Harness(why)) => assert!(
            why.contains("contract version 1, this harness speaks version 2"),
            "{why}"
        ),
        other => panic!("expected a harness error, got {other:?}"),
    }
    assert_eq!(RunVerdict::of(&report, false), RunVerdict::HarnessError);
}
