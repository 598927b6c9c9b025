"""The `clipwise` command: index, recommend, similar, clip, chat, bench, import, export, forget, and
the commands other packages register under the entry-point group `clipwise.commands` (eval, from
evals/, which the agent never imports)."""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import Progress

from agent.cli.options import (
    CatalogOpt,
    ControllerOpt,
    DataDir,
    JsonOpt,
    K,
    TranscriptsOpt,
    UserOpt,
    controller_for,
    emit,
    err,
    fail,
    out,
    settings_from,
    warn,
)
from agent.cli.terminal_text import printable
from agent.formatting import card_fields, render_list
from agent.context import Context
from agent.rules.rules_controller import plan_request
from agent.session import Session
from agent.cli.first_run import open_for_chat, open_with_progress
from tools.catalog.indexer import index_transcripts
from tools.catalog.store import load_catalog
from tools.clips import NoMatch, find_clip
from tools.errors import ClipwiseError
from tools.library import build_index, open_library
from tools.ranking import Request
from tools.ranking import recommend as rank

app = typer.Typer(help="clipwise: a steerable, explainable video recommender you talk to.", no_args_is_help=True)


def usage_line(usage: dict | None) -> str | None:
    from agent.usage import describe

    return f"[{describe(usage)}]" if usage else None


def public_result(item: dict) -> dict:
    clip = item.get("clip")
    return {
        "video_id": item["video_id"], "title": item["title"], "channel": item["channel"],
        "duration_s": item["duration_s"], "score": item["score"],
        "clip": {"start": clip["start"], "end": clip["end"], "quote": clip["quote"]} if clip else None,
        "reason": item["reason"],
    }


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)


@app.command()
def index(data_dir: DataDir = None, catalog: CatalogOpt = None, transcripts: TranscriptsOpt = None,
          user: UserOpt = None, as_json: JsonOpt = False,
          with_transcripts: Annotated[bool, typer.Option("--transcripts-too/--no-transcripts-too",
                                                         help="Also embed transcript windows (better clips, slower).")] = True,
          youtube: Annotated[Optional[list[str]], typer.Option("--youtube", help="Search YouTube for this query and keep what it finds (repeatable; needs YOUTUBE_API_KEY).")] = None,
          out_catalog: Annotated[Optional[Path], typer.Option("--out", help="With --youtube: also write the videos found as a JSONL catalog here.")] = None) -> None:
    """Build or update the index; only what changed is embedded again."""
    s = settings_from(data_dir, catalog, transcripts, user)
    if youtube:
        from agent.cli.youtube_commands import index_from_youtube

        try:
            found = index_from_youtube(s, youtube, out_catalog, with_transcripts)
        except ClipwiseError as exc:
            fail(exc)
        text = (f"YouTube: {found['videos']} videos for {', '.join(youtube)}; {found['transcripts']} transcripts"
                + (f"; catalog written to {out_catalog}" if out_catalog and found["videos"] else ""))
        emit(as_json, found, text)
        return
    try:
        lib = open_library(load_catalog(s.catalog, s.transcripts), s.data_dir, build_index=False,
                           chroma_url=s.chroma_url)
    except ClipwiseError as exc:
        fail(exc)
    if lib.embedder is None:
        report = build_index(lib)
        if with_transcripts:
            index_transcripts(lib.catalog, lib.vectors, None, report)
        emit(as_json, {**report.__dict__, "mode": "lexical"},
             f"{report.summary()}\nEmbedding model missing: nothing to embed; search runs on BM25 only.")
        return
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("videos", total=len(lib.catalog))
        report = build_index(lib, progress=lambda n: progress.advance(task, n))
        if with_transcripts and lib.catalog.transcript_paths:
            task = progress.add_task("transcripts", total=len(lib.catalog.transcript_paths))
            try:
                index_transcripts(lib.catalog, lib.vectors, lib.embedder, report, lambda n: progress.advance(task, n))
            except ClipwiseError as exc:
                fail(exc)
    emit(as_json, report.__dict__, report.summary())


@app.command()
def recommend(text: str, k: K = 10, data_dir: DataDir = None, catalog: CatalogOpt = None,
              transcripts: TranscriptsOpt = None, user: UserOpt = None, as_json: JsonOpt = False,
              controller: ControllerOpt = None) -> None:
    """One turn: recommend for TEXT (a request like 'I want to learn X', or just a topic)."""
    s = settings_from(data_dir, catalog, transcripts, user)
    try:
        session = Session(open_with_progress(s), s.data_dir, controller=controller_for(controller), k=k,
                          max_message_chars=s.max_message_chars, checkpoints_kept=s.checkpoints_kept)
        said = text if session.too_long(text) or plan_request(Context(session.lib, user=s.user), text).calls \
            else f"videos about {text}"
        turn = session.ask(said, user=s.user, thread="cli")
    except ClipwiseError as exc:
        fail(exc)
    emit(as_json, [public_result(r) for r in turn.results], turn.reply)
    if usage_line(turn.usage):
        warn(usage_line(turn.usage))


@app.command()
def similar(video_id: str, k: K = 10, data_dir: DataDir = None, catalog: CatalogOpt = None,
            transcripts: TranscriptsOpt = None, user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """More like VIDEO_ID (the video itself excluded), whether or not chat showed them; changes no memory."""
    s = settings_from(data_dir, catalog, transcripts, user)
    try:
        lib = open_with_progress(s)
        lib.catalog.get(video_id)
        ranking = rank(lib, Request(s.user, seed_video=video_id, k=k, skip_seen=False))
    except ClipwiseError as exc:
        fail(exc)
    items = [i.as_dict() for i in ranking.items]
    data = [public_result(dict(i, **card_fields(lib, i))) for i in items]
    emit(as_json, data, ranking.summary() + "\n" + render_list(lib, items))


@app.command()
def clip(video_id: str, interest: Annotated[str, typer.Option("--interest", help="What the clip should be about.")],
         data_dir: DataDir = None, catalog: CatalogOpt = None, transcripts: TranscriptsOpt = None,
         user: UserOpt = None, as_json: JsonOpt = False) -> None:
    """The clip of VIDEO_ID worth watching for an interest."""
    s = settings_from(data_dir, catalog, transcripts, user)
    try:
        lib = open_with_progress(s)
        found = find_clip(lib, video_id, interest, embed_missing=True)
        if found is None:
            raise ClipwiseError(f"Video '{video_id}' has no transcript, so it cannot be clipped.")
        if isinstance(found, NoMatch):
            raise ClipwiseError(f"Video '{video_id}': {found.note}, so there is no clip to show.")
    except ClipwiseError as exc:
        fail(exc)
    data = {"start": found.start, "end": found.end, "quote": found.quote}
    emit(as_json, data, f"{found.start:.1f}-{found.end:.1f} s: \"{found.quote}\"")


@app.command()
def chat(data_dir: DataDir = None, catalog: CatalogOpt = None, transcripts: TranscriptsOpt = None,
         user: UserOpt = None, as_json: JsonOpt = False, controller: ControllerOpt = None) -> None:
    """Talk to clipwise in the terminal (type 'help', or 'quit' to leave)."""
    s = settings_from(data_dir, catalog, transcripts, user)
    try:
        lib, opening = open_for_chat(s)
        session = Session(lib, s.data_dir, controller=controller_for(controller), k=s.results,
                          max_message_chars=s.max_message_chars, checkpoints_kept=s.checkpoints_kept)
    except ClipwiseError as exc:
        fail(exc)
    out.print(f"clipwise ({len(session.lib.catalog)} videos). Say 'help' for what I understand, 'quit' to leave.")
    indexing = not opening.ready
    if indexing:
        warn(opening.search_note() or "Searching by words while the first run indexes the videos by meaning.")
    while True:
        if indexing and opening.ready:
            indexing = False
            warn("Search by meaning is on: the first run has indexed the videos.")
        try:
            said = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if said.lower() in {"quit", "exit", "bye"}:
            break
        if not said:
            continue
        try:
            turn = session.ask(said, user=s.user, thread="chat")
        except ClipwiseError as exc:
            warn(f"error: {exc}")
            continue
        if as_json:
            emit(True, {"reply": turn.reply, "results": [public_result(r) for r in turn.results],
                        "explanation": turn.explanation, "steps": turn.steps, "usage": turn.usage}, "")
        else:
            out.print(printable(turn.reply), highlight=False, markup=False)
            if usage_line(turn.usage):
                out.print(usage_line(turn.usage), style="dim", highlight=False, markup=False)
    finish_indexing(opening)
    session.close()


def finish_indexing(opening) -> None:
    """Leaving while a first run indexes: let it finish (Ctrl+C stops it; the next start goes on from there)."""
    if opening.ready:
        return
    try:
        with err.status("finishing the first run's index (Ctrl+C to stop; the next start goes on from there)…"):
            opening.wait()
    except KeyboardInterrupt:
        pass
    except ClipwiseError as exc:
        warn(f"error: {exc}")


@app.command()
def bench(data_dir: DataDir = None, catalog: CatalogOpt = None, transcripts: TranscriptsOpt = None,
          turns: Annotated[int, typer.Option("--turns", min=10)] = 60,
          stock_sample: Annotated[int, typer.Option("--stock-sample", min=16)] = 256,
          as_json: JsonOpt = False) -> None:
    """Index speed (ours vs Chroma's stock embedding function), turn latency, peak memory."""
    from agent.bench import run_bench

    s = settings_from(data_dir, catalog, transcripts, None)
    try:
        table, data = run_bench(s, turns=turns, stock_sample=stock_sample)
    except ClipwiseError as exc:
        fail(exc)
    if as_json:
        emit(True, data, "")
    else:
        out.print(table)


def add_registered_commands() -> None:
    """Commands that live above the agent (evals) are found through their entry points."""
    for command in entry_points(group="clipwise.commands"):
        app.command(name=command.name)(command.load())


add_registered_commands()


from agent.cli.memory_commands import export, forget, import_  # noqa: E402  (commands kept in their own module)

app.command(name="import")(import_)
app.command()(export)
app.command()(forget)

