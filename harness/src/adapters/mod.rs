//! Adapters: how implementations outside this process plug into the seam.
//!
//! | adapter | reaches | module |
//! |---|---|---|
//! | in process | a Rust type implementing [`Implementation`](crate::seam::Implementation) | [`crate::seam`] |
//! | gRPC | a server of `spoolcheck.v2.Provider` in any language (`--grpc URL`, `--grpc-spawn CMD`) | [`grpc`], [`spawn`] |
//! | C ABI | a shared library exporting `spoolcheck_provider_v2` (`--cabi PATH`) | [`cabi`] |
//! | C ABI, isolated | the same library in a child process, so a crash is reported, not suffered (`--isolate`) | [`isolate`] |
//! | MAPI provider | a MAPI message store provider as it is, through the MAPI bridge (`--mapi-provider PATH`) | [`mapi`] |
//!
//! Each adapter is a thin translation. An out-of-process implementation answers its own support
//! calls by [`scripted_answer`](crate::seam::scripted_answer) and sends them back with the
//! operation's result; [`remote`] hands them to the harness's support object and checks the
//! answers it used. The contract itself is `proto/spoolcheck/v2/provider.proto` and
//! `include/spoolcheck.h`; docs/adapters.md is the guide.

#[cfg(feature = "cabi")]
pub mod cabi;
#[cfg(feature = "grpc")]
pub mod grpc;
#[cfg(feature = "grpc")]
pub mod grpc_server;
#[cfg(feature = "cabi")]
pub mod isolate;
#[cfg(feature = "cabi")]
pub mod mapi;
pub mod remote;
#[cfg(feature = "grpc")]
pub mod spawn;
#[cfg(feature = "grpc")]
pub mod wire;
