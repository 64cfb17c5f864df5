//! Holds the .deb and .rpm metadata of euca-checks (Cargo.toml: `[package.metadata.deb]`,
//! `[package.metadata.generate-rpm]`) for cargo-deb and cargo-generate-rpm, which read it from a
//! crate. No code: packaging/build stages the files, this crate only says where they go.
