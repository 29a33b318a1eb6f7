//! All integration tests build as one binary (see `autotests = false` in Cargo.toml).
mod duckling;
