//! One test per bug found, named for the bug.

use newsfacts::rules::{Gazetteer, RuleSet};

/// A gazetteer entry repeating one of its own forms (case-folded) indexed an entry not yet stored.
#[test]
fn gazetteer_entry_repeating_its_own_alias_does_not_panic() {
    let (g, issues) = Gazetteer::parse("artists", "Rosé | ROSÉ | Rose\n");
    assert!(issues.is_empty());
    assert_eq!(g.get("ROSE").map(|e| e.canonical.as_str()), Some("Rosé"));
}

/// `\p{L}` in a pattern was read as a reference to a macro named L.
#[test]
fn unicode_class_braces_are_not_macro_references() {
    let files = newsfacts::rules::RuleFiles {
        files: vec![
            ("kinds.toml".into(), "[kinds.mention]\nfields = [\"artist\"]\nemit = false\nmentions = { artist = \"artist\" }\n".into()),
            ("m.toml".into(), "[[rule]]\nid = \"u\"\nkind = \"mention\"\npatterns = ['''(?P<artist>\\p{Lu}\\p{L}+)''']\nfields.artist = \"text\"\n".into()),
        ],
    };
    assert!(RuleSet::compile(&files).is_ok());
}

/// A UTF-8 byte-order mark opening a JSON Lines file made its first line fail to parse.
#[test]
fn jsonl_with_byte_order_mark_reads_its_first_line() {
    use newsfacts::reader::{InputSpec, ReadEvent, ReadOptions, read_inputs};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.jsonl");
    std::fs::write(
        &path,
        b"\xEF\xBB\xBF{\"id\":\"one\",\"date\":\"2019-02-11\",\"text\":\"x\"}\n",
    )
    .unwrap();
    let events: Vec<ReadEvent> =
        read_inputs(vec![InputSpec::Path(path)], ReadOptions::default()).collect();
    assert!(
        matches!(&events[..], [ReadEvent::Article(a)] if a.id == "one"),
        "{events:?}"
    );
}

/// Found by the `normalize` fuzz target: a title opening with a curly quote (three bytes in UTF-8)
/// was sliced one byte in, inside the quote, and panicked.
#[test]
fn title_opening_with_a_curly_quote_does_not_panic() {
    use newsfacts::normalize::Normalized;
    use newsfacts::normalize::entity::title;
    let rules = RuleSet::embedded().unwrap();
    for (raw, want) in [
        ("“Espresso”", "Espresso"),
        ("‘Espresso’", "Espresso"),
        ("\"Espresso\"", "Espresso"),
    ] {
        assert_eq!(title(raw, &rules), Normalized::Value(want.into()), "{raw}");
    }
    // The fuzzer's input: a lone opening quote before digits.
    assert_eq!(title("“999999", &rules), Normalized::Value("999999".into()));
}

/// A win naming no ceremony waits for the next sentence to name one; after a paragraph break that
/// wait was ended by emitting the win without its required ceremony instead of dropping it.
#[test]
fn win_without_a_ceremony_is_dropped_when_a_paragraph_break_follows() {
    let rules = RuleSet::embedded().unwrap();
    let extractor = newsfacts::extract::Extractor::new(&rules);
    let wins = |text: &str| -> Vec<serde_json::Value> {
        extractor
            .extract(&article(text, "2024-11-08"))
            .facts
            .into_iter()
            .filter(|f| f.kind == "award_win")
            .map(|f| serde_json::to_value(&f.fields).unwrap())
            .collect()
    };
    let win = "Ayra Starr was named Best Pop Act and opened the show with her new single.";
    let ceremony = "The night belonged to the Headies Awards, which returned to Lagos.";
    // In one paragraph the next sentence names the ceremony: the win takes it.
    let joined = wins(&format!("{win} {ceremony}"));
    assert_eq!(joined.len(), 1, "{joined:?}");
    assert_eq!(joined[0]["winner"], "Ayra Starr");
    // The canonical name in rules/gazetteers/ceremonies.txt.
    assert_eq!(joined[0]["ceremony"], "Headies");
    // After a paragraph break it may not, and a win without a ceremony is no fact.
    assert_eq!(
        wins(&format!("{win}\n\n{ceremony}")),
        Vec::<serde_json::Value>::new()
    );
    assert_eq!(wins(win), Vec::<serde_json::Value>::new());
}

/// A release or stream count whose sentence opens with its own artist took the article's most
/// mentioned artist instead ("Burna Boy, meanwhile, told … his next single, "Higher," drops
/// Friday" came out as Tyla's once a new fact mentioned Tyla again).
#[test]
fn release_artist_is_the_sentence_subject_before_the_topic() {
    let rules = RuleSet::embedded().unwrap();
    let extractor = newsfacts::extract::Extractor::new(&rules);
    let text = "Tyla won Best African Music Performance for \"Water\" at the 2024 Grammy Awards. \
                Tyla thanked her fans in Johannesburg. \
                Burna Boy, meanwhile, told his 17 million Instagram followers on Monday that his next single, \"Higher,\" drops Friday.";
    let releases: Vec<serde_json::Value> = extractor
        .extract(&article(text, "2024-02-06"))
        .facts
        .into_iter()
        .filter(|f| f.kind == "release")
        .map(|f| serde_json::to_value(&f.fields).unwrap())
        .collect();
    assert_eq!(releases.len(), 1, "{releases:?}");
    assert_eq!(releases[0]["work"], "Higher");
    assert_eq!(releases[0]["date"], "2024-02-09");
    assert_eq!(releases[0]["artist"], "Burna Boy");
}

/// An article of `text` dated `date`, as a reader would make it.
fn article(text: &str, date: &str) -> newsfacts::article::Article {
    newsfacts::article::Article {
        id: "t".into(),
        source: "test".into(),
        url: None,
        title: None,
        date: newsfacts::article::parse_article_date(date).unwrap(),
        date_source: None,
        text: text.into(),
    }
}
