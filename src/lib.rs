//! newsfacts: dated news articles → normalized fact records.
//!
//! Data flows one way: [`reader`] (sources → [`article::Article`]s) → [`extract`] (sentences, rule
//! matches, context) with [`normalize`] → [`fact`] records → [`sink`]s. [`rules`] compiles the rule
//! files once; [`pipeline`] runs a batch in parallel with deterministic output; [`ruletest`] runs the
//! rules' own examples; [`eval`] scores facts against gold cases.
//!
//! ```
//! use newsfacts::article::{Article, parse_article_date};
//! use newsfacts::extract::Extractor;
//! use newsfacts::rules::RuleSet;
//!
//! let rules = RuleSet::embedded().expect("the built-in rules compile");
//! let article = Article {
//!     id: "example".into(),
//!     source: "doc".into(),
//!     url: None,
//!     title: None,
//!     date: parse_article_date("2019-02-11").unwrap(),
//!     date_source: None,
//!     text: "Dua Lipa won Best New Artist at the 2019 Grammy Awards.".into(),
//! };
//! let facts = Extractor::new(&rules).extract(&article).facts;
//! assert_eq!(facts.len(), 1);
//! assert_eq!(facts[0].kind, "award_win");
//! assert_eq!(facts[0].fields["winner"], "Dua Lipa");
//! assert_eq!(facts[0].fields["ceremony"], "Grammy Awards");
//! assert_eq!(facts[0].fields["year"], 2019);
//! ```
pub mod article;
pub mod eval;
pub mod extract;
pub mod fact;
pub mod fetch;
pub mod html;
pub mod normalize;
pub mod pipeline;
pub mod reader;
pub mod rules;
pub mod ruletest;
pub mod sink;
pub mod store;
