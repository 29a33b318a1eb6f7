// Scratch: size of each macro's compiled regex (deleted before commit).
fn main() {
    let files = newsfacts::rules::RuleFiles::embedded();
    let mut macros = std::collections::BTreeMap::new();
    for (n, t) in &files.files {
        if n.ends_with(".toml") {
            let v: toml::Value = toml::from_str(t).unwrap();
            if let Some(m) = v.get("macros").and_then(|m| m.as_table()) {
                for (k, v) in m { macros.insert(k.clone(), v.as_str().unwrap().to_string()); }
            }
        }
    }
    fn exp(s: &str, m: &std::collections::BTreeMap<String,String>) -> String {
        let re = regex::Regex::new(r"\{([A-Z][A-Z0-9_]*)\}").unwrap();
        let mut cur = s.to_string();
        for _ in 0..10 { cur = re.replace_all(&cur, |c: &regex::Captures| format!("(?:{})", m.get(&c[1]).cloned().unwrap_or_default())).to_string(); }
        let g = regex::Regex::new(r"\{@[a-z_/]+\}").unwrap();
        g.replace_all(&cur, "(?:xx)").to_string()
    }
    for (k, v) in &macros {
        let e = exp(v, &macros);
        let t = std::time::Instant::now();
        let r = regex::RegexBuilder::new(&e).size_limit(1<<30).build();
        println!("{k:20} len={:7} ok={} {:?}", e.len(), r.is_ok(), t.elapsed());
    }
}
