"""The refresh's reading of SFS's search, right with or without `page` and `updated-after`.

SFS's published search parameters have neither (CONTRACT.md 6.2), so nothing here depends on them:
- newest first (`sort-by=UPDATED`, `sort-order=DESC`, `size=100`) until an `updated` at or before
  the cursor (less the overlap); a quiet cycle is that one call;
- where more changed than a page holds, `page` is tried once; a server that ignores it answers
  page 0 again, which is noticed (and remembered for a while), so the portal never loops;
- without `page`, the refresh reads the two or fewer proposals it still expects by id, or walks
  the list by creation with the documented `created-after` (`CREATED` `ASC`): a keyset that
  proposals changing meanwhile cannot shift, from the oldest proposal still expected, stopping
  once it has seen them all;
- should that stall (more than a page created in one instant), what is still expected is read
  by id.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache

from proposals.siesmart.types import ProposalSummary, SearchPage

PAGE_SIZE = 100
PAGING_REMEMBERED_SECONDS = 3600  # a server may be upgraded; ask again now and then
ONE_MS = timedelta(milliseconds=1)  # SFS writes timestamps to the millisecond
# A local timestamp stands in for SFS's `created` only where SFS's own is unknown; the margin
# covers the two clocks disagreeing.
CLOCK_MARGIN = timedelta(hours=1)
HONOURED, IGNORED = "honoured", "ignored"


def _paging_key(credential_id: int) -> str:
    return f"refresh-search-paging:{credential_id}"


@dataclass
class SearchSweep:
    """One cycle's reading of the search: the latest summary of every proposal seen."""

    client: object
    credential_id: int
    calls: int = 0
    total: int | None = None  # totalElements of the first, unfiltered call
    newest: datetime | None = None
    seen: dict[int, ProposalSummary] = field(default_factory=dict)

    def _search(self, **params) -> SearchPage:
        self.calls += 1
        result = self.client.search_proposals(size=PAGE_SIZE, **params)
        for summary in result.content:
            # A later answer is at least as new as an earlier one.
            self.seen[summary.id] = summary
            if summary.updated and (self.newest is None or summary.updated > self.newest):
                self.newest = summary.updated
        return result

    @property
    def paging_ignored(self) -> bool:
        return cache.get(_paging_key(self.credential_id)) == IGNORED

    def _remember_paging(self, finding: str) -> None:
        cache.set(_paging_key(self.credential_id), finding, PAGING_REMEMBERED_SECONDS)

    def newest_first(self, stop_before: datetime | None) -> bool:
        """Pages by `updated`, newest first, until one reaches `stop_before` (None: the end).

        True when every proposal changed after `stop_before` has been seen; False when more
        changed than a page holds and the server does not page.
        """
        page, previous_ids = 0, set()
        while True:
            if page and self.paging_ignored:
                return False
            result = self._search(sort_by="UPDATED", sort_order="DESC", page=page)
            ids = [summary.id for summary in result.content]
            if page == 0:
                self.total = result.total_elements
            elif _page_ignored(result, page, ids, previous_ids):
                self._remember_paging(IGNORED)
                return False
            elif page == 1:
                self._remember_paging(HONOURED)
            if not ids or len(ids) < PAGE_SIZE or result.total_elements <= PAGE_SIZE:
                return True
            oldest = result.content[-1].updated
            if stop_before is not None and oldest is not None and oldest <= stop_before:
                return True
            if (page + 1) * PAGE_SIZE >= result.total_elements:
                return True
            page, previous_ids = page + 1, set(ids)

    def by_creation(self, created_after: datetime | None, wanted: set[int]) -> bool:
        """Walks the list by creation from `created_after` (None: the start) until its end or
        until every id in `wanted` was seen. False when it stalls: a page full of proposals
        created in one instant leaves no later `created-after` to ask with."""
        after = created_after
        while True:
            result = self._search(sort_by="CREATED", sort_order="ASC", created_after=after)
            if len(result.content) < PAGE_SIZE or result.total_elements <= PAGE_SIZE:
                return True
            if wanted and wanted <= self.seen.keys():
                return True
            last = result.content[-1].created
            if last is None:
                return False
            # `created-after` is exclusive: ask from just before the last one, so proposals
            # created in the same millisecond are not skipped.
            next_after = last - ONE_MS
            if after is not None and next_after <= after:
                return False
            after = next_after

    def list_all(self) -> bool:
        """Every proposal of the caller (to find which vanished)."""
        return self.newest_first(None) or self.by_creation(None, set())


def _page_ignored(result: SearchPage, page: int, ids: list[int], previous_ids: set[int]) -> bool:
    """A server that ignores `page` answers the first page again: it says page 0, or it repeats
    the ids it gave (concurrent changes shift a real next page by a few, never by half)."""
    if result.page != page:
        return True
    return bool(ids) and len(previous_ids.intersection(ids)) * 2 > len(ids)


def created_at_sfs(proposal) -> datetime:
    """The earliest SFS can have created this proposal: its own `created` where the portal kept
    it, else the portal's row, which is older than the send, less the clock margin."""
    text = (proposal.base_snapshot or {}).get("created")
    if isinstance(text, str):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass
    return proposal.created - CLOCK_MARGIN
