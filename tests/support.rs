//! Helpers shared by the CLI tests: run the built binary from the repository root.

use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

pub fn newsfacts() -> Command {
    let mut cmd = Command::cargo_bin("newsfacts").expect("the newsfacts binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

pub fn run(args: &[&str]) -> Output {
    newsfacts().args(args).output().expect("newsfacts runs")
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

/// Every stdout line parsed as JSON.
pub fn records(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}
