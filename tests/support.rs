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

/// Copy the folder `from` with everything under it to `to` (created if missing).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Write `bytes` to `dir/name` (creating parent folders) and return the path.
pub fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The field a fact record is about: its winner, collaborator or work ("" when it has none).
pub fn fact_key(record: &Value) -> &str {
    let f = &record["fields"];
    f.get("winner")
        .or_else(|| f.get("collaborator"))
        .or_else(|| f.get("work"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Each page of a `--report` file by URL: its outcome, with `:reason` when it has one.
pub fn outcomes(report: &Value) -> std::collections::BTreeMap<String, String> {
    report["pages"]
        .as_array()
        .expect("a pages array")
        .iter()
        .map(|p| {
            let mut o = p["outcome"].as_str().unwrap().to_string();
            if let Some(r) = p["reason"].as_str() {
                o = format!("{o}:{r}");
            }
            (p["url"].as_str().unwrap().to_string(), o)
        })
        .collect()
}
