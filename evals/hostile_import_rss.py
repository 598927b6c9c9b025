"""Peak memory (VmHWM) of reading hostile exports: each case in a fresh process; prints a table.

    uv run python evals/hostile_import_rss.py
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

CHILD = """
import datetime as dt, sys
from pathlib import Path
from tools.errors import ImportFileError
from tools.imports.detect import read_export
from tools.imports.discovery import discover_interests
try:
    batch = read_export(Path(sys.argv[1]))
    found = discover_interests(batch.items, None, dt.datetime.now(dt.timezone.utc))
    outcome = f"read {len(batch.items)} items, {len(found)} interests"
except ImportFileError as exc:
    outcome = "refused: " + str(exc).split(": ", 1)[-1]
except Exception as exc:
    outcome = f"CRASH {type(exc).__name__}: {exc}"[:200]
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(peak // 1024, outcome.replace("refused: refused: ", "refused: "))
"""


def zipped(path: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return path


def cases(root: Path) -> dict[str, Path]:
    out = {}
    out["zip bomb (1 GB of spaces)"] = root / "takeout.zip"
    with zipfile.ZipFile(out["zip bomb (1 GB of spaces)"], "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("Takeout/YouTube/history/watch-history.json", "w", force_zip64=True) as member:
            member.write(b"[")
            for _ in range(1024):
                member.write(b" " * (1024 * 1024))
    tar = root / "bomb.tgz"
    with tarfile.open(tar, "w:gz") as t:
        data = b" " * (300 * 1024 * 1024)
        info = tarfile.TarInfo("Takeout/YouTube/history/watch-history.json")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    out["tar bomb (300 MB member)"] = tar
    many = root / "many.zip"
    with zipfile.ZipFile(many, "w") as z:
        for n in range(25_000):
            z.writestr(f"notes/{n}.md", "x")
    out["25k members"] = many
    title = "sourdough bread " * 2_000_000  # 32 MB
    (root / "t").mkdir()
    out["30 MB title (watch JSON)"] = root / "t" / "watch-history.json"
    out["30 MB title (watch JSON)"].write_text(json.dumps(
        [{"title": title, "titleUrl": "https://youtu.be/abcdefghijk", "time": "2024-03-05T18:22:11Z"}]))
    (root / "x" / "data").mkdir(parents=True)
    out["30 MB post (tweets.js)"] = root / "x" / "data" / "tweets.js"
    out["30 MB post (tweets.js)"].write_text("window.YTD.tweets.part0 = " + json.dumps(
        [{"tweet": {"id_str": "1", "full_text": title, "created_at": "Wed Mar 06 18:30:00 +0000 2024"}}]))
    out["3.9 MB notes zip (one paragraph)"] = zipped(root / "notes.zip", "vault/big.md",
                                                     ("[" * 4_000_000).encode())
    out["deep JSON (1M levels)"] = root / "deep" / "watch-history.json"
    out["deep JSON (1M levels)"].parent.mkdir()
    out["deep JSON (1M levels)"].write_text("[" * 1_000_000 + "]" * 1_000_000)
    out["21M empty objects (64 MB)"] = root / "objs" / "watch-history.json"
    out["21M empty objects (64 MB)"].parent.mkdir()
    out["21M empty objects (64 MB)"].write_text("[" + ",".join(["{}"] * 20_000_000) + "]")
    records = [{"title": f"Watched sourdough video {n}", "titleUrl": f"https://youtu.be/abcdefghi{n % 100:02d}",
                "time": f"2024-03-05T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}.{n:06d}Z"} for n in range(199_000)]
    out["50 MB real-shaped history"] = root / "big" / "watch-history.json"
    out["50 MB real-shaped history"].parent.mkdir()
    out["50 MB real-shaped history"].write_text(json.dumps(records, indent=4))
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'case':36} {'file MB':>8} {'peak RSS MB':>12}  outcome")
        for case, path in cases(Path(tmp)).items():
            run = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                                 cwd=Path(__file__).resolve().parent.parent)
            line = run.stdout.strip() or f"0 CRASH (exit {run.returncode}) {run.stderr.strip()[-150:]}"
            rss, outcome = line.split(" ", 1)
            print(f"{case:36} {path.stat().st_size / 1e6:8.1f} {int(rss):12d}  {outcome[:110]}")


if __name__ == "__main__":
    main()
