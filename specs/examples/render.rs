//! Prints the readable spec. Regenerate the committed copy with
//! `cargo run -q -p spoolcheck-specs --example render > specs/SPEC.md`.

fn main() {
    print!(
        "{}",
        spoolcheck_specs::render_markdown(spoolcheck_specs::Catalog::embedded())
    );
}
