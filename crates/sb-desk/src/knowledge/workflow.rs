//! The write -> review -> publish workflow as a pure function: the
//! article's facts, who acts and the command give the transition or an
//! [`IllegalTransition`] naming the state.
//!
//! States of the working copy: `draft` (being written, or sent back with a
//! note), `in_review`, `published`, `unpublished`. Agents read the
//! published version, which stays while a new draft of a published article
//! is written and reviewed; publishing swaps it, unpublishing withdraws it.
//! Permissions (`knowledge.write`, `knowledge.review`) are the API's to
//! check; this function checks what depends on the article: its state and
//! whether the actor is its author.

use std::fmt;

use sb_store::KbPublishing;

use crate::error::IllegalTransition;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KbState {
    Draft,
    InReview,
    Published,
    Unpublished,
}

impl KbState {
    pub fn code(self) -> &'static str {
        match self {
            KbState::Draft => "draft",
            KbState::InReview => "in_review",
            KbState::Published => "published",
            KbState::Unpublished => "unpublished",
        }
    }

    pub fn parse(code: &str) -> Option<KbState> {
        Some(match code {
            "draft" => KbState::Draft,
            "in_review" => KbState::InReview,
            "published" => KbState::Published,
            "unpublished" => KbState::Unpublished,
            _ => return None,
        })
    }
}

impl fmt::Display for KbState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What the decision depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArticleFacts {
    pub state: KbState,
    pub author_id: Option<i64>,
    /// Agents can read a version of it now.
    pub has_published: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KbActor {
    pub staff_id: i64,
    /// Holds knowledge.review: may act on anyone's article.
    pub may_review: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KbCommand {
    /// Save new content (a new version).
    Edit,
    Submit,
    Publish,
    SendBack,
    Unpublish,
}

impl KbCommand {
    pub fn name(&self) -> &'static str {
        match self {
            KbCommand::Edit => "edit",
            KbCommand::Submit => "submit",
            KbCommand::Publish => "publish",
            KbCommand::SendBack => "send_back",
            KbCommand::Unpublish => "unpublish",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KbTransition {
    pub to: KbState,
    pub publishing: KbPublishing,
    /// The step clears the reviewer's note (a new submission, a publication).
    pub clears_note: bool,
}

fn illegal(command: &KbCommand, reason: impl Into<String>) -> IllegalTransition {
    IllegalTransition {
        command: command.name(),
        reason: reason.into(),
    }
}

pub fn decide(
    article: ArticleFacts,
    actor: KbActor,
    command: &KbCommand,
) -> Result<KbTransition, IllegalTransition> {
    let own = article.author_id == Some(actor.staff_id);
    let keep = |to| KbTransition {
        to,
        publishing: KbPublishing::Keep,
        clears_note: false,
    };
    match command {
        KbCommand::Edit | KbCommand::Submit if !own && !actor.may_review => Err(illegal(
            command,
            "only the author or a reviewer may change this article",
        )),
        KbCommand::Edit => match article.state {
            KbState::InReview => Err(illegal(
                command,
                "article is in_review; a reviewer must publish it or send it back first",
            )),
            // Editing a published article starts a new draft; the
            // published version stays readable until the new one is.
            KbState::Draft | KbState::Published | KbState::Unpublished => Ok(keep(KbState::Draft)),
        },
        KbCommand::Submit => match article.state {
            KbState::Draft | KbState::Unpublished => Ok(KbTransition {
                clears_note: true,
                ..keep(KbState::InReview)
            }),
            state => Err(illegal(
                command,
                format!("article is {state}, not draft or unpublished"),
            )),
        },
        KbCommand::Publish | KbCommand::SendBack | KbCommand::Unpublish if !actor.may_review => {
            Err(illegal(command, "only a reviewer may do this"))
        }
        KbCommand::Publish => match article.state {
            KbState::InReview => Ok(KbTransition {
                to: KbState::Published,
                publishing: KbPublishing::PublishCurrent,
                clears_note: true,
            }),
            state => Err(illegal(
                command,
                format!("article is {state}, not in_review"),
            )),
        },
        KbCommand::SendBack => match article.state {
            KbState::InReview => Ok(keep(KbState::Draft)),
            state => Err(illegal(
                command,
                format!("article is {state}, not in_review"),
            )),
        },
        KbCommand::Unpublish => {
            if !article.has_published {
                return Err(illegal(
                    command,
                    format!("article is {} and has no published version", article.state),
                ));
            }
            let to = match article.state {
                KbState::Published => KbState::Unpublished,
                other => other,
            };
            Ok(KbTransition {
                to,
                publishing: KbPublishing::Withdraw,
                clears_note: false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTHOR: KbActor = KbActor {
        staff_id: 7,
        may_review: false,
    };
    const OTHER_WRITER: KbActor = KbActor {
        staff_id: 8,
        may_review: false,
    };
    const REVIEWER: KbActor = KbActor {
        staff_id: 9,
        may_review: true,
    };

    fn facts(state: KbState, has_published: bool) -> ArticleFacts {
        ArticleFacts {
            state,
            author_id: Some(7),
            has_published,
        }
    }

    #[test]
    fn the_whole_journey() {
        let t = decide(facts(KbState::Draft, false), AUTHOR, &KbCommand::Submit).expect("legal");
        assert_eq!(t.to, KbState::InReview);
        let t = decide(
            facts(KbState::InReview, false),
            REVIEWER,
            &KbCommand::Publish,
        )
        .expect("legal");
        assert_eq!(
            (t.to, t.publishing),
            (KbState::Published, KbPublishing::PublishCurrent)
        );
        let t = decide(facts(KbState::Published, true), AUTHOR, &KbCommand::Edit).expect("legal");
        assert_eq!((t.to, t.publishing), (KbState::Draft, KbPublishing::Keep));
        let t =
            decide(facts(KbState::Draft, true), REVIEWER, &KbCommand::Unpublish).expect("legal");
        assert_eq!(
            (t.to, t.publishing),
            (KbState::Draft, KbPublishing::Withdraw)
        );
        let t = decide(
            facts(KbState::Published, true),
            REVIEWER,
            &KbCommand::Unpublish,
        )
        .expect("legal");
        assert_eq!(t.to, KbState::Unpublished);
    }

    #[test]
    fn illegal_steps_name_the_state() {
        let e = decide(facts(KbState::Draft, false), REVIEWER, &KbCommand::Publish)
            .expect_err("illegal");
        assert_eq!(e.to_string(), "publish: article is draft, not in_review");
        let e =
            decide(facts(KbState::InReview, false), AUTHOR, &KbCommand::Edit).expect_err("illegal");
        assert!(e.to_string().contains("in_review"), "{e}");
        let e = decide(facts(KbState::Published, true), AUTHOR, &KbCommand::Submit)
            .expect_err("illegal");
        assert!(e.to_string().contains("published"), "{e}");
        let e = decide(
            facts(KbState::Draft, false),
            REVIEWER,
            &KbCommand::Unpublish,
        )
        .expect_err("illegal");
        assert!(e.to_string().contains("no published version"), "{e}");
        let e = decide(facts(KbState::Draft, false), REVIEWER, &KbCommand::SendBack)
            .expect_err("illegal");
        assert!(e.to_string().contains("draft"), "{e}");
    }

    #[test]
    fn others_need_the_review_permission() {
        assert!(decide(facts(KbState::Draft, false), OTHER_WRITER, &KbCommand::Edit).is_err());
        assert!(decide(facts(KbState::Draft, false), REVIEWER, &KbCommand::Edit).is_ok());
        assert!(decide(facts(KbState::InReview, false), AUTHOR, &KbCommand::Publish).is_err());
    }
}
