"""Generated chat messages (request words, figures of any size, dates, unicode, control characters, long
words): the request parser never raises, and full turns on the demo catalog never crash."""

from __future__ import annotations

import datetime as dt
import functools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.understand.intent_model import IntentModel
from agent.understand.parser import RequestParser
from agent.understand.shared import catalog_words

REQUEST_WORDS = ["more like", "why", "hide", "block", "unblock", "drop", "less", "forget", "add", "rename", "to",
                 "since", "from", "after", "before", "between", "and", "under", "over", "at least", "at most",
                 "nothing over", "no more than", "the last", "the first", "top", "past", "this year", "last",
                 "minutes", "mins", "hours", "h", "m", "s", "seconds", "days", "weeks", "months", "years", "month",
                 "of", "#", "number", "no.", "the", "one", "third", "tenth", "twelfth", "a", "half an hour",
                 "astronomy", "linear algebra", "crypto", "3blue1brown", "channel", "seen", "undo", "help", "1", "2",
                 "yes", "no", "shorter", "longer", "recent", "'", '"', ",", ".", "-", "+", "<", ">=", "&", "%"]
MONTH_WORDS = ["January", "Feb", "february", "Sept", "Dec", "month"]
_digits = st.text(alphabet="0123456789", min_size=1, max_size=40)
_figure = st.one_of(st.integers(-10 ** 30, 10 ** 30).map(str), _digits,
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.tuples(_digits, _digits).map(".".join))
_date = st.one_of(
    st.tuples(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)).map(lambda t: "%04d-%02d-%02d" % t),
    st.tuples(st.integers(0, 99), st.sampled_from(MONTH_WORDS), st.integers(0, 9999)).map(lambda t: "%d %s %04d" % t),
    st.tuples(st.integers(0, 99), st.integers(0, 9999)).map(lambda t: "month %d of %04d" % t),
)
_token = st.one_of(
    st.sampled_from(REQUEST_WORDS), st.sampled_from(REQUEST_WORDS), _figure, _figure.map("#{}".format),
    _figure.map("{}th".format), _date, st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    st.sampled_from(["\x00", "\x1b[31m", "\u202e", "\ufeff", "\r\n", "\t", "\u0301", "🙂", "ﬁ", "İ", "ß"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=100, max_size=1500),
)
MESSAGES = st.lists(_token, max_size=14).map(" ".join)
"""Messages made of request words, figures, dates and junk, joined by spaces."""
TODAY = dt.date(2026, 3, 10)


@functools.cache
def words_parser() -> RequestParser:
    """The parser with its word-feature model (no embedding model), so 10,000 parses stay fast; the slots,
    limits and item numbers it reads are the same code the embedding-backed parser runs."""
    return RequestParser(IntentModel.fit(None))


@settings(max_examples=10_000, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(said=MESSAGES, shown=st.integers(0, 12))
def test_the_request_parser_reads_any_message_without_raising(lib, said, shown):
    listed = [{"video_id": v, "channel": None, "duration_s": 300} for v in list(lib.catalog.videos)[:shown]]
    ctx = catalog_words(lib).context(TODAY, listed)

    reading = words_parser().parse(said, ctx)

    for action in reading.actions:
        assert all(isinstance(i, int) and 0 <= i <= 10_000 for i in action.items), (said, action)
        assert action.published_after is None or dt.date(2005, 1, 1) <= action.published_after <= TODAY
        for minutes in (action.max_minutes, action.min_minutes):
            assert minutes is None or 0 < minutes <= 7 * 24 * 60, (said, action)


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(said=MESSAGES)
def test_full_chat_turns_never_crash(session, user, said):
    turn = session.ask(said, user=user)

    assert "(ref " not in turn.reply and "Traceback" not in turn.reply, said
