//! All integration tests build as one binary (see `autotests = false` in Cargo.toml).
mod cli;
mod crash;
mod duckling;
mod eval;
mod faults;
mod fetch;
mod golden;
mod hostile;
mod html;
mod props;
mod regression;
mod rule_examples;
mod rules_check;
mod seeds;
mod store;
mod support;
