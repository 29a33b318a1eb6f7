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
    let rules = rules();
    for (raw, want) in [
        ("“Espresso”", "Espresso"),
        ("‘Espresso’", "Espresso"),
        ("\"Espresso\"", "Espresso"),
    ] {
        assert_eq!(title(raw, rules), Normalized::Value(want.into()), "{raw}");
    }
    // The fuzzer's input: a lone opening quote before digits.
    assert_eq!(title("“999999", rules), Normalized::Value("999999".into()));
}

/// A win naming no ceremony waits for the next sentence to name one; after a paragraph break that
/// wait was ended by emitting the win without its required ceremony instead of dropping it.
#[test]
fn win_without_a_ceremony_is_dropped_when_a_paragraph_break_follows() {
    let extractor = newsfacts::extract::Extractor::new(rules());
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
    let extractor = newsfacts::extract::Extractor::new(rules());
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

/// The award wins of `text` dated `date`, as (winner, award, year) triples in article order.
fn wins(text: &str, date: &str) -> Vec<(String, String, i64)> {
    newsfacts::extract::Extractor::new(rules())
        .extract(&article(text, date))
        .facts
        .into_iter()
        .filter(|f| f.kind == "award_win")
        .map(|f| {
            let v = serde_json::to_value(&f.fields).unwrap();
            (
                v["winner"].as_str().unwrap_or("").to_string(),
                v["award"].as_str().unwrap_or("").to_string(),
                v["year"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

/// A December ceremony reported in early January took the article's year (Japan Record Awards held
/// Dec. 30, 2024, article of Jan. 3, 2025: 2025), with or without an edition ordinal.
#[test]
fn december_ceremony_reported_in_january_is_last_years_edition() {
    let counted = wins(
        "Mrs. GREEN APPLE took home the Grand Prix at the 66th Japan Record Awards on December 30.",
        "2025-01-03",
    );
    assert_eq!(
        counted,
        vec![("Mrs. Green Apple".into(), "Grand Prix".into(), 2024)]
    );
    let bare = wins(
        "The Japan Record Awards were handed out on Dec. 30. The Grand Prix went to Mrs. GREEN APPLE for \"Lilac.\"",
        "2025-01-02",
    );
    assert_eq!(
        bare,
        vec![("Mrs. Green Apple".into(), "Grand Prix".into(), 2024)]
    );
    // A ceremony a month away keeps the article's year (the Grammys move between late January and
    // February).
    let grammys = wins(
        "Taylor Swift won Album of the Year at the Grammys.",
        "2024-01-02",
    );
    assert_eq!(grammys[0].2, 2024);
}

/// A surname alone was emitted as the winner ("Saldaña") when the full name earlier in the article
/// came from no rule ("Performed in the film by Zoe Saldaña").
#[test]
fn lone_surname_takes_the_full_name_written_earlier() {
    let got = wins(
        "Performed in the film by Zoe Saldaña, the song won at the 97th Academy Awards. \
         Saldaña also won best supporting actress for her role.",
        "2025-03-03",
    );
    assert!(
        got.contains(&("Zoe Saldaña".into(), "Best Supporting Actress".into(), 2025)),
        "{got:?}"
    );
    assert!(!got.iter().any(|w| w.0 == "Saldaña"), "{got:?}");
}

/// "The quintet" went to the article's topic (SEVENTEEN, 13 members) rather than the group of five
/// just named (NewJeans).
#[test]
fn group_size_descriptor_picks_the_group_of_that_size() {
    let got = wins(
        "SEVENTEEN won the Album Daesang at the 38th Golden Disc Awards. SEVENTEEN thanked CARATs. \
         The Digital Daesang went to NewJeans for \"Ditto.\" \
         The quintet also took home a Digital Bonsang for \"Super Shy.\"",
        "2024-01-08",
    );
    assert!(
        got.contains(&("NewJeans".into(), "Digital Bonsang".into(), 2024)),
        "{got:?}"
    );
    assert!(
        !got.iter()
            .any(|w| w.0 == "SEVENTEEN" && w.1 == "Digital Bonsang"),
        "{got:?}"
    );
}

/// An album named earlier and then used as a sentence's subject ("Génesis picked up Album of the
/// Year") was emitted as the winner.
#[test]
fn known_work_as_subject_stands_for_its_artist() {
    let got = wins(
        "Peso Pluma's album Génesis was the story of Premio Lo Nuestro 2024. \
         Génesis picked up Album of the Year on Thursday night.",
        "2024-02-23",
    );
    assert_eq!(
        got,
        vec![("Peso Pluma".into(), "Album of the Year".into(), 2024)]
    );
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

/// The built-in rules, compiled once for every test here (compiling is most of a test's time).
fn rules() -> &'static RuleSet {
    static RULES: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
    RULES.get_or_init(|| RuleSet::embedded().unwrap())
}
