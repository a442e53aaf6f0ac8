//! What the out-of-process adapters share: an implementation in another process sends back, with
//! each operation's result, the support calls it made with the answers it used, its notifications
//! and the store afterwards. [`deliver`] hands the calls and notifications to the harness's support
//! object, in order, and checks each answer against MAPI's.

use crate::seam::{Answer, SeamError, Support};
use spoolcheck_model::{Notification, SupportCall};

/// One support call as an implementation across a boundary reports it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReportedCall {
    /// The call.
    pub call: SupportCall,
    /// The HRESULT the implementation used as MAPI's answer.
    pub answer_hr: u32,
    /// The output flags it used.
    pub answer_flags: u32,
}

/// Replays reported calls and notifications into `support`. An answer that is not MAPI's is a
/// malformed reply: the implementation did not follow the contract's answer rule, so what it did
/// next cannot be judged as MAPI would have made it.
pub fn deliver(
    support: &mut dyn Support,
    calls: Vec<ReportedCall>,
    notifications: Vec<Notification>,
) -> Result<(), SeamError> {
    for (i, reported) in calls.into_iter().enumerate() {
        let name = reported.call.name();
        let mapi = support.call(reported.call);
        let used = Answer {
            hr: spoolcheck_model::mapi::Hresult(reported.answer_hr),
            flags: reported.answer_flags,
            recipients: None,
        };
        if used.code() != mapi.code() {
            return Err(SeamError::Malformed(format!(
                "support call {} ({name}): the implementation says MAPI answered {} with flags \
                 0x{:X}, but MAPI's answer is {} with flags 0x{:X}; answer support calls from the \
                 operation's script as the provider contract says",
                i + 1,
                used.hr,
                used.flags,
                mapi.hr,
                mapi.flags
            )));
        }
    }
    for n in notifications {
        support.notify(n);
    }
    Ok(())
}

/// The last lines of a process's log, as a suffix for an error message ("" when it is empty).
pub fn log_tail(log: &std::path::Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let from = lines.len().saturating_sub(8);
    format!(
        "; the last lines of {}:\n    {}",
        log.display(),
        lines[from..].join("\n    ")
    )
}

/// "exit code 3", "killed by signal 11 (SIGSEGV)".
pub fn describe_status(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                4 => " (SIGILL)",
                6 => " (SIGABRT)",
                7 => " (SIGBUS)",
                8 => " (SIGFPE)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV)",
                15 => " (SIGTERM)",
                _ => "",
            };
            return format!("killed by signal {signal}{name}");
        }
    }
    match status.code() {
        Some(code) => format!("exit code {code}"),
        None => "no exit code".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seam::ScriptedSupport;
    use spoolcheck_model::mapi::Hresult;
    use spoolcheck_model::{MsgId, Op, Role, SubmitScript};

    #[test]
    fn a_wrong_answer_is_malformed_and_names_the_call() {
        let op = Op::SubmitMessage {
            caller: Role::Client,
            msg: MsgId(1),
            flags: 0,
            script: SubmitScript {
                prepare: Hresult::MAPI_E_CALL_FAILED,
                ..SubmitScript::ok(1)
            },
        };
        let mut support = ScriptedSupport::for_op(&op);
        let calls = vec![
            ReportedCall {
                call: SupportCall::SpoolerNotify { flags: 2 },
                answer_hr: 0,
                answer_flags: 0,
            },
            ReportedCall {
                call: SupportCall::PrepareSubmit {
                    msg: MsgId(1),
                    flags: 0,
                },
                answer_hr: 0,
                answer_flags: 0,
            },
        ];
        let e = deliver(&mut support, calls.clone(), vec![]).unwrap_err();
        assert!(
            e.to_string().contains("support call 2 (PrepareSubmit)"),
            "{e}"
        );
        let mut support = ScriptedSupport::for_op(&op);
        let mut right = calls;
        right[1].answer_hr = Hresult::MAPI_E_CALL_FAILED.0;
        deliver(&mut support, right, vec![]).unwrap();
        assert_eq!(support.calls.len(), 2);
    }
}
