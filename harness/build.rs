//! Compiles the provider contract (`proto/spoolcheck/v2/provider.proto`) for the gRPC adapter.
//! protox parses the file in Rust, so no `protoc` is needed on the machine.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    const PROTO: &str = "proto/spoolcheck/v2/provider.proto";
    println!("cargo:rerun-if-changed={PROTO}");
    if std::env::var_os("CARGO_FEATURE_GRPC").is_none() {
        return Ok(());
    }
    let descriptors = protox::compile([PROTO], ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
