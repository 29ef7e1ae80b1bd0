//! Pages of long lists: every list a person or a script reads is cut into
//! pages of a bounded size, so no read costs more than its page.

/// Which page of a list: `offset` items skipped, at most `limit` shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: u32,
    pub limit: u32,
}

impl PageRequest {
    /// The most items one page may hold.
    pub const MAX_LIMIT: u32 = 500;
    /// Items on a page when the reader does not say.
    pub const DEFAULT_LIMIT: u32 = 100;

    /// From what a reader asked: no offset is the start, no limit the
    /// default. A negative offset or a limit outside 1 to the maximum is
    /// refused, not bent into range: a script asking for 1 000 would
    /// otherwise take 500 for the whole list.
    pub fn new(offset: Option<i64>, limit: Option<i64>) -> Result<Self, PageError> {
        let offset = u32::try_from(offset.unwrap_or(0)).map_err(|_| PageError::Offset)?;
        let limit = match limit {
            None => Self::DEFAULT_LIMIT,
            Some(n) => u32::try_from(n)
                .ok()
                .filter(|n| (1..=Self::MAX_LIMIT).contains(n))
                .ok_or(PageError::Limit)?,
        };
        Ok(Self { offset, limit })
    }

    /// The `number`th page (from 1) of pages of `per_page`; a number past
    /// any real page is the last possible one, never an overflow.
    pub fn numbered(number: u32, per_page: u32) -> Self {
        let per_page = per_page.clamp(1, Self::MAX_LIMIT);
        Self {
            offset: number.max(1).saturating_sub(1).saturating_mul(per_page),
            limit: per_page,
        }
    }

    /// The offset of the page after this one, when `fetched` (asked for
    /// with `limit + 1`) shows there is more.
    pub fn next_offset(self, fetched: usize) -> Option<u32> {
        (fetched > self.limit as usize).then(|| self.offset.saturating_add(self.limit))
    }

    /// What to ask the store for: one more than the page, to know whether
    /// another page follows.
    pub fn probe_limit(self) -> u32 {
        self.limit.saturating_add(1)
    }
}

/// Why a page could not be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("offset must be a whole number from 0")]
    Offset,
    #[error("limit must be a whole number from 1 to {}", PageRequest::MAX_LIMIT)]
    Limit,
}

/// One page of a list and the offset of the next one, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_offset: Option<u32>,
}

impl<T> Page<T> {
    /// Cuts what the store returned for `request.probe_limit()` to the page.
    pub fn from_probe(request: PageRequest, mut fetched: Vec<T>) -> Self {
        let next_offset = request.next_offset(fetched.len());
        fetched.truncate(request.limit as usize);
        Self {
            items: fetched,
            next_offset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_defaults_when_absent_and_is_refused_out_of_bounds() {
        let page = |offset, limit| PageRequest::new(offset, limit);
        assert_eq!(
            page(None, None).map(|p| p.limit),
            Ok(PageRequest::DEFAULT_LIMIT)
        );
        assert_eq!(
            page(Some(7), Some(500)),
            Ok(PageRequest {
                offset: 7,
                limit: 500
            })
        );
        assert_eq!(page(None, Some(0)), Err(PageError::Limit));
        assert_eq!(page(None, Some(501)), Err(PageError::Limit));
        assert_eq!(page(None, Some(-1)), Err(PageError::Limit));
        assert_eq!(page(Some(-1), None), Err(PageError::Offset));
        assert_eq!(page(Some(i64::MAX), None), Err(PageError::Offset));
    }

    #[test]
    fn a_page_number_never_overflows() {
        assert_eq!(PageRequest::numbered(1, 20).offset, 0);
        assert_eq!(PageRequest::numbered(0, 20).offset, 0);
        assert_eq!(PageRequest::numbered(3, 20).offset, 40);
        assert_eq!(PageRequest::numbered(u32::MAX, 20).offset, u32::MAX);
    }

    #[test]
    fn one_item_more_than_the_page_says_another_follows() {
        let request = PageRequest::new(Some(10), Some(2)).expect("a page");
        assert_eq!(request.probe_limit(), 3);
        let page = Page::from_probe(request, vec![1, 2, 3]);
        assert_eq!((page.items, page.next_offset), (vec![1, 2], Some(12)));
        let last = Page::from_probe(request, vec![1, 2]);
        assert_eq!(last.next_offset, None);
    }
}
