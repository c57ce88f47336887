"""The list pages' shared view plumbing: the sort from ?sort=, the total, header links that keep
the filters, the user's saved filter sets and chosen columns for the page's tool bar, and the
one way a bulk action's form is answered."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import flash, redirect, request, url_for
from flask_login import current_user

from crm.extensions import db
from crm.i18n import gettext as _
from crm.services.core import index_order, listing, paging
from crm.services.lists import bulk, columns, saved


def sorted_page(ids_query, sort: listing.Sort, keys: Mapping, id_column, *, page_of: Callable,
                count_cap: int | None = None, by_index: bool = False, newest_first: bool = False,
                count_query=None) -> paging.Page:
    """One page of `ids_query` in `sort` order (`page_of(query)` pages it), with the filtered total
    counted from the same query (up to `count_cap`), or from `count_query` (the same rows, in an
    order cheaper to count): two statements whatever the data size.
    by_index: page_of is paging.paginate_ids, which then gets an index_order.Window where one
    serves the sort (every row read in index order, keyset links), else the plain ORDER BY;
    newest_first: the list's default order is by id descending (keyset links too)."""
    window = index_order.window(ids_query, sort, keys, id_column, newest_first) if by_index else None
    page = page_of(window or listing.ordered(ids_query, sort, keys, id_column))
    page.total, page.total_more = listing.count(ids_query if count_query is None else count_query, count_cap)
    if page.total_more and page.items:  # the count stopped: what the page itself shows is surer
        page.total = max(page.total, page.last_index)
        page.total_more = page.has_next  # the last page knows the exact total
    return page


def sort_url(endpoint: str, kept: Mapping) -> Callable[[str], str]:
    """Header links: the list with its filters and a new sort, from page 1."""
    kept = {k: v for k, v in kept.items() if k not in ("sort", "page")}
    return lambda arg: url_for(endpoint, **kept, **({"sort": arg} if arg else {}))


def tools(list_key: str) -> dict:
    """The signed-in user's saved sets of this list and the optional columns shown (one statement each)."""
    user = current_user._get_current_object()
    return {"list_key": list_key, "saved_filters": saved.saved_filters(user, list_key),
            "column_labels": columns.OPTIONAL.get(list_key, {}),
            "shown": columns.shown(user, list_key) if list_key in columns.OPTIONAL else None}


def run_bulk(list_key: str, actions: Mapping[str, Callable]):
    """Answer a list's bulk-action form: actions maps the chosen action to a function of the ticked
    ids that returns the message to show (then commit) or a response (an export).  A refusal
    rolls everything back and says why; either way the list opens again with its filters."""
    back = url_for(saved.ENDPOINTS[list_key]) + "?" + saved.clean_query(list_key, request.form.get("back", ""))
    try:
        ids = bulk.selected_ids(request.form.getlist("ids"))
        action = actions.get(request.form.get("action", ""))
        if action is None:
            raise bulk.BulkError(_("请选择要执行的操作。"))
        outcome = action(ids)
    except bulk.BulkError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(back)
    if not isinstance(outcome, str):
        return outcome
    db.session.commit()
    flash(outcome, "success")
    return redirect(back)
