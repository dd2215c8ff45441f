//! What the clinic's config changes in an article as patients see it: who answers
//! callbacks about it, and the notices' wording.

use crate::library::{ArticleView, Library, LibraryError};

impl super::Config {
    /// Article `slug` from `lib` as the clinic shows it, reached from `topic` if the patient
    /// came through one. The config decides who answers for a topic (the topic the patient
    /// came from, else the article's first), the article's own specialty otherwise; and it
    /// may word the `emergency` and `disclaimer` notices its own way. Errors are the
    /// library's (`NotFound`, ...).
    pub fn article(
        &self,
        lib: &Library,
        slug: &str,
        topic: Option<&str>,
    ) -> Result<ArticleView, LibraryError> {
        let mut view = lib.article(slug, topic)?;
        let topic_slug = topic
            .filter(|t| view.topics.iter().any(|n| n.slug == *t))
            .or_else(|| view.topics.first().map(|n| n.slug.as_str()));
        if let Some(routed) = topic_slug.and_then(|t| self.specialty_for_topic(t)) {
            // A lookup that fails keeps the article's own specialty.
            if let Ok(Some(named)) = lib
                .specialties(&view.lang)
                .map(|all| all.into_iter().find(|s| s.slug == routed))
            {
                view.specialty = named;
            }
        }
        let notice = |key: &str| {
            self.notices
                .get(key)
                .and_then(|t| t.get(&view.lang))
                .cloned()
        };
        if let Some(text) = notice("emergency") {
            view.notices.emergency = text;
        }
        if let Some(text) = notice("disclaimer") {
            view.notices.disclaimer = text;
        }
        Ok(view)
    }
}
