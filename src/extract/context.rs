//! Per-article context: what the article is currently talking about. It walks the sentences in order;
//! anaphors ("the song", "the idol", "the category") resolve to the most recent fitting mention, and an
//! article about one ceremony lends that ceremony (with its year) to sentences that leave it out.
//! All of its resolution rules live here, in one place.

use serde_json::Value;

use crate::rules::Slot;

/// One mention of an entity, at a character position in the article.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub slot: Slot,
    pub value: Value,
    /// For ceremonies: the edition year, when known.
    pub year: Option<i64>,
    pub pos: usize,
    /// How much the mention says about the article's topic: 2 for a sentence's subject or a fact's
    /// winner or artist, 1 for a name in passing.
    pub weight: usize,
}

impl Mention {
    pub fn new(slot: Slot, value: Value, pos: usize) -> Mention {
        Mention {
            slot,
            value,
            year: None,
            pos,
            weight: 1,
        }
    }
}

/// The date an article gives for a ceremony ("On November 5, the ceremony announced the winners").
#[derive(Debug, Clone, PartialEq)]
pub struct EventDate {
    pub ceremony: Value,
    pub year: Option<i64>,
    pub date: Value,
}

#[derive(Debug, Default, Clone)]
pub struct Context {
    /// The latest mention of each slot, from earlier sentences.
    last: Vec<Mention>,
    pub events: Vec<EventDate>,
    /// How often each artist has been mentioned so far, and where last: the article's topic.
    artist_counts: Vec<(Value, usize, usize)>,
}

impl Context {
    /// Resolve a slot at `pos`: first the sentence's own earlier mentions, then earlier sentences.
    /// "the song" wants a song, "the album" an album; a plain work slot takes the latest of any work.
    pub fn resolve<'a>(
        &'a self,
        slot: Slot,
        sentence: &'a [Mention],
        pos: usize,
    ) -> Option<&'a Mention> {
        let latest = |fits: &dyn Fn(&Mention) -> bool| {
            sentence
                .iter()
                .filter(|m| m.pos < pos && fits(m))
                .max_by_key(|m| m.pos)
                .or_else(|| self.last.iter().filter(|m| fits(m)).max_by_key(|m| m.pos))
        };
        let any_work = |m: &Mention| matches!(m.slot, Slot::Work | Slot::Song | Slot::Album);
        match slot {
            Slot::Work => latest(&any_work),
            // "the album" with no album named yet: the latest work of any type (an untyped
            // title: "The Collective, due March 8"). Once an album is named, a single named
            // since is not it ("the second pre-release from MUSE … The album itself is due").
            Slot::Song | Slot::Album => {
                latest(&|m: &Mention| m.slot == slot).or_else(|| latest(&any_work))
            }
            s => latest(&|m: &Mention| m.slot == s),
        }
    }

    /// A surname or first name alone names the artist mentioned in full earlier.
    pub fn full_name(&self, name: &str) -> Option<Value> {
        if name.contains(' ') {
            return None;
        }
        // A surname ("Lambert" → "Miranda Lambert") or a first name ("Megan" → "Megan Thee Stallion").
        let suffix = format!(" {name}");
        let prefix = format!("{name} ");
        self.artist_counts
            .iter()
            .filter(|(v, _, _)| {
                v.as_str()
                    .is_some_and(|s| s.ends_with(&suffix) || s.starts_with(&prefix))
            })
            .max_by_key(|(_, n, last)| (*n, *last))
            .map(|(v, _, _)| v.clone())
    }

    /// The artist the article is about so far: the most mentioned one, the latest on a tie. Fills
    /// use it ("3D featuring Jack Harlow" on Jungkook's album is Jungkook's), where anaphors use
    /// the latest mention ("the rapper").
    pub fn topic_artist(&self, sentence: &[Mention], pos: usize) -> Option<Value> {
        let mut counts = self.artist_counts.clone();
        for m in sentence
            .iter()
            .filter(|m| m.slot == Slot::Artist && m.pos < pos)
        {
            bump(&mut counts, &m.value, m.pos, m.weight);
        }
        counts
            .into_iter()
            .max_by_key(|(_, n, last)| (*n, *last))
            .map(|(v, _, _)| v)
    }

    /// Every artist mentioned so far, the latest mentioned first.
    pub fn artists_by_recency(&self) -> Vec<&Value> {
        let mut v: Vec<&(Value, usize, usize)> = self.artist_counts.iter().collect();
        v.sort_by_key(|(_, _, last)| std::cmp::Reverse(*last));
        v.into_iter().map(|(a, _, _)| a).collect()
    }

    /// The ceremony currently in context, with its year.
    pub fn ceremony(&self) -> Option<&Mention> {
        self.last.iter().find(|m| m.slot == Slot::Ceremony)
    }

    /// Take in a finished sentence's mentions, in position order.
    pub fn absorb(&mut self, mut mentions: Vec<Mention>) {
        mentions.sort_by_key(|m| m.pos);
        for m in mentions {
            if m.slot == Slot::YearCue || m.slot == Slot::EventDate {
                continue;
            }
            if m.slot == Slot::Artist {
                bump(&mut self.artist_counts, &m.value, m.pos, m.weight);
            }
            // A ceremony mentioned again without a year keeps the year it was given before.
            let year = match (&m.year, self.ceremony()) {
                (None, Some(prev)) if m.slot == Slot::Ceremony && prev.value == m.value => {
                    prev.year
                }
                _ => m.year,
            };
            self.last.retain(|x| x.slot != m.slot);
            self.last.push(Mention { year, ..m });
        }
    }

    /// The date recorded for a ceremony and year, if the article gave one.
    pub fn event_date(&self, ceremony: &Value, year: Option<i64>) -> Option<&Value> {
        self.events
            .iter()
            .find(|e| {
                &e.ceremony == ceremony && (year.is_none() || e.year.is_none() || e.year == year)
            })
            .map(|e| &e.date)
    }
}

/// Count a mention with its weight (a subject counts more than a name in passing).
fn bump(counts: &mut Vec<(Value, usize, usize)>, v: &Value, pos: usize, weight: usize) {
    match counts.iter_mut().find(|(x, _, _)| x == v) {
        Some(e) => {
            e.1 += weight;
            e.2 = pos;
        }
        None => counts.push((v.clone(), weight, pos)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(slot: Slot, v: &str, pos: usize) -> Mention {
        Mention::new(slot, Value::String(v.into()), pos)
    }

    #[test]
    fn sentence_mentions_before_position_win_over_context() {
        let mut c = Context::default();
        c.absorb(vec![m(Slot::Artist, "Lisa", 3)]);
        let here = vec![m(Slot::Artist, "Jungkook", 20)];
        assert_eq!(
            c.resolve(Slot::Artist, &here, 30).unwrap().value,
            "Jungkook"
        );
        assert_eq!(c.resolve(Slot::Artist, &here, 10).unwrap().value, "Lisa");
    }

    #[test]
    fn song_and_album_slots_stay_apart() {
        let mut c = Context::default();
        c.absorb(vec![m(Slot::Album, "Golden", 5), m(Slot::Song, "Seven", 9)]);
        assert_eq!(c.resolve(Slot::Album, &[], 50).unwrap().value, "Golden");
        assert_eq!(c.resolve(Slot::Song, &[], 50).unwrap().value, "Seven");
        assert_eq!(c.resolve(Slot::Work, &[], 50).unwrap().value, "Seven");
    }

    #[test]
    fn topic_artist_is_the_most_mentioned() {
        let mut c = Context::default();
        c.absorb(vec![
            m(Slot::Artist, "Jungkook", 1),
            m(Slot::Artist, "Jungkook", 5),
            m(Slot::Artist, "Latto", 9),
        ]);
        assert_eq!(c.topic_artist(&[], 50).unwrap(), "Jungkook");
        assert_eq!(c.resolve(Slot::Artist, &[], 50).unwrap().value, "Latto");
    }

    #[test]
    fn ceremony_keeps_its_year() {
        let mut c = Context::default();
        c.absorb(vec![Mention {
            year: Some(2023),
            ..m(Slot::Ceremony, "MTV EMAs", 1)
        }]);
        c.absorb(vec![m(Slot::Ceremony, "MTV EMAs", 40)]);
        assert_eq!(c.ceremony().unwrap().year, Some(2023));
    }
}
