//! newsfacts: dated news articles → normalized fact records.
//!
//! Data flows one way: [`reader`] (sources → [`article::Article`]s) → [`extract`] (sentences, rule
//! matches, context) with [`normalize`] → [`fact`] records → [`sink`]s. [`rules`] compiles the rule
//! files once; [`pipeline`] runs a batch in parallel with deterministic output; [`ruletest`] runs the
//! rules' own examples; [`eval`] scores facts against gold cases.
pub mod article;
pub mod eval;
pub mod extract;
pub mod fact;
pub mod normalize;
pub mod pipeline;
pub mod reader;
pub mod rules;
pub mod ruletest;
pub mod sink;
