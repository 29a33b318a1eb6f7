//! One snapshot per fixture article: the full JSON Lines output, reviewed when it changes
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test` then read the diff).
//! The hand-worked expectations live beside them in `tests/gold/fixtures/` and are scored in eval.rs.

use newsfacts::extract::Extractor;
use newsfacts::fact::FactRecord;
use newsfacts::reader::parse_text_article;
use newsfacts::rules::RuleSet;

#[test]
fn every_fixture_article_matches_its_snapshot() {
    let rules = RuleSet::embedded().expect("rules compile");
    let extractor = Extractor::new(&rules);
    let mut paths: Vec<_> = std::fs::read_dir("fixtures")
        .expect("fixtures/ present")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 14,
        "expected the seeds and at least 12 fixtures, found {}",
        paths.len()
    );
    for path in paths {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = format!("fixtures/{}", path.file_name().unwrap().to_string_lossy());
        let bytes = std::fs::read(&path).unwrap();
        let (article, _) =
            parse_text_article(&stem, &source, &bytes, None).expect("fixture parses");
        let mut out = String::new();
        for fact in extractor.extract(&article).facts {
            out.push_str(&serde_json::to_string(&FactRecord::new(&article, fact)).unwrap());
            out.push('\n');
        }
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(stem, out);
        });
    }
}
