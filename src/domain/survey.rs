//! The customer's side of an incident, as pure rules: how a person wants to hear from the
//! company (and when an optional message may reach them), what a survey answer may hold, the
//! survey schedule's defaults, and the results arithmetic (response rate, NPS, clarity).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::keyed::keyed_enum;

keyed_enum! {
    /// How a person wants to be reached about an incident.
    ContactChannel, "contact channel" {
        Email => "email",
        /// A printed letter.
        Postal => "postal",
        /// Text messages. Candor has no SMS sender yet: these people get email, else post.
        Sms => "sms",
    }
}

keyed_enum! {
    /// How often a person wants to hear about an incident.
    Frequency, "contact frequency" {
        /// Every update, the survey and its reminder.
        Every => "every",
        /// At most one message a week: a later one waits for the next weekly slot.
        Weekly => "weekly",
        /// Only what the law requires: no updates, no survey.
        Required => "required",
    }
}

/// The spacing of a weekly person's optional messages.
pub const WEEK: Duration = Duration::days(7);

/// When an optional message (an update, a survey invitation or reminder) may go to a person
/// who chose `frequency`, whose latest message was sent or is due at `last_contact`: now, a
/// later weekly slot, or never (`None`). Legally required notices do not ask.
pub fn optional_message_at(
    frequency: Frequency,
    last_contact: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match frequency {
        Frequency::Every => Some(now),
        Frequency::Required => None,
        Frequency::Weekly => Some(match last_contact {
            Some(last) if last + WEEK > now => last + WEEK,
            _ => now,
        }),
    }
}

/// Invitations go this long after a person's notice was delivered, unless the schedule says
/// otherwise.
pub const DEFAULT_INVITE_AFTER: Duration = Duration::days(7);
/// The one reminder goes this long after the invitation, unless the schedule says otherwise.
pub const DEFAULT_REMIND_AFTER: Duration = Duration::days(5);

/// The longest free-text answer, in characters.
pub const COMMENT_MAX_CHARS: usize = 2_000;

/// A person's answers to the survey; each question may be left out, but not all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Answers {
    /// "How likely is it that you would recommend us to a friend or colleague?" 0–10.
    pub recommend: Option<u8>,
    /// "How clear was our notice?" 1–5.
    pub clarity: Option<u8>,
    /// "Is there anything we could have done better?"
    pub comment: Option<String>,
}

/// Why answers were refused; the message is shown to the person beside the question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the score must be a whole number from 0 to 10")]
    Recommend,
    #[error("the clarity rating must be a whole number from 1 to 5")]
    Clarity,
    #[error("the answer is longer than {COMMENT_MAX_CHARS} characters")]
    CommentTooLong,
    #[error("please answer at least one question")]
    Empty,
}

impl AnswerError {
    /// The form field the problem is about (`None`: the form as a whole).
    pub fn field(&self) -> Option<&'static str> {
        match self {
            AnswerError::Recommend => Some("recommend"),
            AnswerError::Clarity => Some("clarity"),
            AnswerError::CommentTooLong => Some("comment"),
            AnswerError::Empty => None,
        }
    }
}

impl Answers {
    /// Answers as a form sends them: blank fields are unanswered questions.
    pub fn parse(
        recommend: Option<&str>,
        clarity: Option<&str>,
        comment: Option<&str>,
    ) -> Result<Answers, AnswerError> {
        let score =
            |text: Option<&str>, range: std::ops::RangeInclusive<u8>, e: AnswerError| match text
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                None => Ok(None),
                Some(t) => t
                    .parse::<u8>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .map(Some)
                    .ok_or(e),
            };
        let recommend = score(recommend, 0..=10, AnswerError::Recommend)?;
        let clarity = score(clarity, 1..=5, AnswerError::Clarity)?;
        let comment = comment
            .map(|c| c.replace("\r\n", "\n").trim().to_owned())
            .filter(|c| !c.is_empty());
        if comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > COMMENT_MAX_CHARS)
        {
            return Err(AnswerError::CommentTooLong);
        }
        if recommend.is_none() && clarity.is_none() && comment.is_none() {
            return Err(AnswerError::Empty);
        }
        Ok(Answers {
            recommend,
            clarity,
            comment,
        })
    }

    /// Whether the answer could become a follow-up action: a detractor's score or a comment.
    pub fn calls_for_follow_up(&self) -> bool {
        self.recommend.is_some_and(is_detractor) || self.comment.is_some()
    }
}

/// A score of 0–6.
pub fn is_detractor(score: u8) -> bool {
    score <= 6
}

/// A score of 9–10.
pub fn is_promoter(score: u8) -> bool {
    score >= 9
}

/// Survey results for a set of people: built by adding each response, read as a [`Summary`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    invited: u64,
    responded: u64,
    scores: [u64; 11],
    clarity: [u64; 5],
}

/// What a [`Tally`] says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    /// People whose invitation was sent.
    pub invited: u64,
    /// People who answered.
    pub responded: u64,
    /// `responded / invited`, 0–1; null with nobody invited.
    pub response_rate: Option<f64>,
    /// Answers that gave a score.
    pub scored: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// % promoters (9–10) minus % detractors (0–6) of the scores given, −100 to 100, to one
    /// decimal; null with no scores.
    pub nps: Option<f64>,
    /// How many answers gave each score, 0 to 10.
    pub distribution: Vec<u64>,
    /// The average clarity rating (1–5), to two decimals; null with no ratings.
    pub clarity_average: Option<f64>,
    /// How many answers gave each clarity rating, 1 to 5.
    pub clarity_distribution: Vec<u64>,
}

impl Tally {
    /// Counts `n` people invited.
    pub fn invited(&mut self, n: u64) {
        self.invited += n;
    }

    /// Counts one response.
    pub fn add(&mut self, recommend: Option<u8>, clarity: Option<u8>) {
        self.add_many(recommend, clarity, 1);
    }

    /// Counts `n` responses giving the same answers.
    pub fn add_many(&mut self, recommend: Option<u8>, clarity: Option<u8>, n: u64) {
        self.responded += n;
        if let Some(score) = recommend.filter(|s| *s <= 10) {
            self.scores[usize::from(score)] += n;
        }
        if let Some(rating) = clarity.filter(|c| (1..=5).contains(c)) {
            self.clarity[usize::from(rating - 1)] += n;
        }
    }

    /// The results.
    pub fn summary(&self) -> Summary {
        let sum =
            |range: std::ops::RangeInclusive<usize>| -> u64 { self.scores[range].iter().sum() };
        let (detractors, passives, promoters) = (sum(0..=6), sum(7..=8), sum(9..=10));
        let scored = detractors + passives + promoters;
        let nps = (scored > 0).then(|| {
            let net = promoters as f64 - detractors as f64;
            round_to(100.0 * net / scored as f64, 1)
        });
        let rated: u64 = self.clarity.iter().sum();
        let clarity_average = (rated > 0).then(|| {
            let total: u64 = self
                .clarity
                .iter()
                .zip(1u64..)
                .map(|(n, rating)| n * rating)
                .sum();
            round_to(total as f64 / rated as f64, 2)
        });
        Summary {
            invited: self.invited,
            responded: self.responded,
            response_rate: (self.invited > 0)
                .then(|| round_to(self.responded as f64 / self.invited as f64, 4)),
            scored,
            promoters,
            passives,
            detractors,
            nps,
            distribution: self.scores.to_vec(),
            clarity_average,
            clarity_distribution: self.clarity.to_vec(),
        }
    }
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

keyed_enum! {
    /// Why a follow-up action exists.
    ActionReason, "follow-up reason" {
        /// The person scored 0–6.
        Detractor => "detractor",
        /// The person wrote a comment.
        Comment => "comment",
    }
}

keyed_enum! {
    /// Where a follow-up action stands.
    ActionStatus, "follow-up status" {
        Open => "open",
        /// Resolved, with a resolution note.
        Closed => "closed",
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn tally(scores: &[u8]) -> Summary {
        let mut t = Tally::default();
        t.invited(scores.len() as u64 * 2);
        for s in scores {
            t.add(Some(*s), None);
        }
        t.summary()
    }

    #[test]
    fn all_promoters_score_plus_one_hundred_and_all_detractors_minus_one_hundred() {
        assert_eq!(tally(&[9, 10, 10]).nps, Some(100.0));
        assert_eq!(tally(&[0, 6, 3]).nps, Some(-100.0));
        assert_eq!(tally(&[7, 8]).nps, Some(0.0));
    }

    #[test]
    fn nps_counts_six_as_a_detractor_and_nine_as_a_promoter() {
        let s = tally(&[6, 7, 8, 9]);
        assert_eq!((s.detractors, s.passives, s.promoters), (1, 2, 1));
        assert_eq!(s.nps, Some(0.0));
        // 2 promoters, 1 detractor of 3: 33.3.
        assert_eq!(tally(&[9, 10, 0]).nps, Some(33.3));
        assert_eq!(s.distribution, vec![0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0]);
    }

    #[test]
    fn no_responses_give_no_nps_no_average_and_a_zero_rate() {
        let mut t = Tally::default();
        let s = t.summary();
        assert_eq!(
            (s.nps, s.clarity_average, s.response_rate),
            (None, None, None)
        );
        t.invited(4);
        let s = t.summary();
        assert_eq!(s.response_rate, Some(0.0));
        assert_eq!(s.distribution.len(), 11);
    }

    #[test]
    fn answers_without_a_score_count_as_responses_but_not_in_the_nps() {
        let mut t = Tally::default();
        t.invited(3);
        t.add(None, Some(4));
        t.add(Some(10), Some(5));
        let s = t.summary();
        assert_eq!((s.responded, s.scored), (2, 1));
        assert_eq!(s.nps, Some(100.0));
        assert_eq!(s.clarity_average, Some(4.5));
        assert_eq!(s.response_rate, Some(0.6667));
        assert_eq!(s.clarity_distribution, vec![0, 0, 0, 1, 1]);
    }

    #[test]
    fn answers_parse_from_a_form_and_refuse_what_is_out_of_range() {
        let a = Answers::parse(Some("9"), Some(""), Some("  Call me next time.\r\n ")).unwrap();
        assert_eq!(a.recommend, Some(9));
        assert_eq!(a.clarity, None);
        assert_eq!(a.comment.as_deref(), Some("Call me next time."));
        assert_eq!(
            Answers::parse(Some("11"), None, None),
            Err(AnswerError::Recommend)
        );
        assert_eq!(
            Answers::parse(Some("-1"), None, None),
            Err(AnswerError::Recommend)
        );
        assert_eq!(
            Answers::parse(None, Some("0"), None),
            Err(AnswerError::Clarity)
        );
        assert_eq!(
            Answers::parse(None, Some("six"), None),
            Err(AnswerError::Clarity)
        );
        assert_eq!(
            Answers::parse(Some(" "), None, Some("  ")),
            Err(AnswerError::Empty)
        );
        let long = "é".repeat(COMMENT_MAX_CHARS + 1);
        assert_eq!(
            Answers::parse(None, None, Some(&long)),
            Err(AnswerError::CommentTooLong)
        );
        let fits = "é".repeat(COMMENT_MAX_CHARS);
        assert!(Answers::parse(None, None, Some(&fits)).is_ok());
    }

    #[test]
    fn a_detractor_or_a_comment_calls_for_follow_up() {
        let a = |r: Option<u8>, c: Option<&str>| Answers {
            recommend: r,
            clarity: None,
            comment: c.map(str::to_owned),
        };
        assert!(a(Some(6), None).calls_for_follow_up());
        assert!(!a(Some(7), None).calls_for_follow_up());
        assert!(a(Some(10), Some("Thanks")).calls_for_follow_up());
        assert!(!a(None, None).calls_for_follow_up());
    }

    #[test]
    fn optional_messages_wait_for_a_weekly_slot_and_never_go_to_required_only() {
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let two_days_ago = now - Duration::days(2);
        assert_eq!(
            optional_message_at(Frequency::Every, Some(two_days_ago), now),
            Some(now)
        );
        assert_eq!(optional_message_at(Frequency::Required, None, now), None);
        assert_eq!(
            optional_message_at(Frequency::Weekly, Some(two_days_ago), now),
            Some(two_days_ago + WEEK)
        );
        assert_eq!(
            optional_message_at(Frequency::Weekly, Some(now - WEEK), now),
            Some(now)
        );
        assert_eq!(optional_message_at(Frequency::Weekly, None, now), Some(now));
    }
}
